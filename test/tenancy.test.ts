import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJobs } from '../src/db/schema';
import { isTenantName } from '../src/tenant';
import { CANCEL_EXPORT_JOB, CREATE_EXPORT_JOB, GET_EXPORT_JOB, LIST_EXPORT_JOB_IDS } from './fixtures/operations';
import { storageTargets } from './helpers/databases';
import { createJob, jobInput, startServerWithDataset } from './helpers/seedApi';
import { TENANT, type TestServer } from './helpers/testServer';

const ORG_B = { 'x-gw-ims-org-id': 'ORG_B@AdobeOrg' };
const DEV_SANDBOX = { ...TENANT, 'x-sandbox-name': 'dev' };

describe.each(storageTargets)('tenancy on $name', (target) => {
  let api: TestServer;
  let datasetId: string;

  beforeAll(async () => ({ api, datasetId } = await startServerWithDataset(target)));
  afterAll(() => api?.close());

  it.each([
    ['no organisation header', {}],
    ['a blank organisation header', { 'x-gw-ims-org-id': '   ' }],
    ['only a sandbox header', { 'x-sandbox-name': 'prod' }],
    ['a non-bearer Authorization header', { ...TENANT, authorization: 'Basic dXNlcjpwYXNz' }],
  ])('refuses a request with %s: UNAUTHENTICATED, no data, nothing written', async (_case, headers) => {
    api.resetQueries();
    const response = await api.graphql(CREATE_EXPORT_JOB, { input: jobInput(datasetId) }, headers);
    expect(response.status).toBe(401);
    expect(response.data).toBeUndefined();
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    expect(response.errors![0]!.message).not.toMatch(/context creation/i);
    expect(api.queries).toEqual([]);
  });

  it('refuses queries without an organisation too', async () => {
    const response = await api.graphql(LIST_EXPORT_JOB_IDS, {}, {});
    expect(response.data).toBeUndefined();
    expect(response.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('accepts a bearer token and records only its SHA-256 on the job', async () => {
    const job = await createJob(api, datasetId, { ...TENANT, authorization: 'Bearer eyJ.token.sig' });
    const [row] = await api.database.db.select().from(exportJobs).where(eq(exportJobs.id, Number(job.id)));
    expect(row!.createdByTokenSha256).toBe(createHash('sha256').update('eyJ.token.sig').digest('hex'));
  });

  it('uses the prod sandbox when x-sandbox-name is absent', async () => {
    const job = await createJob(api, datasetId, { 'x-gw-ims-org-id': TENANT['x-gw-ims-org-id'] });
    expect(job.sandboxName).toBe('prod');
    const read = await api.graphql(GET_EXPORT_JOB, { id: job.id }, TENANT);
    expect(read.data!.exportJob.id).toBe(job.id);
  });

  it.each([
    ['another organisation', ORG_B],
    ['another sandbox of the same organisation', DEV_SANDBOX],
  ])('treats a job of %s exactly like one that does not exist', async (_case, foreign) => {
    const job = await createJob(api, datasetId);

    const read = await api.graphql(GET_EXPORT_JOB, { id: job.id }, foreign);
    expect(read).toMatchObject({ data: { exportJob: null } });
    expect(read.errors).toBeUndefined();

    const list = await api.graphql(LIST_EXPORT_JOB_IDS, { first: 100 }, foreign);
    expect(list.data!.exportJobs.edges.map((edge: any) => edge.node.id)).not.toContain(job.id);

    const cancel = await api.graphql(CANCEL_EXPORT_JOB, { id: job.id }, foreign);
    const missing = await api.graphql(CANCEL_EXPORT_JOB, { id: '987654321' }, foreign);
    expect(cancel.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    expect(cancel.errors![0]!.message.replace(job.id, 'ID')).toBe(
      missing.errors![0]!.message.replace('987654321', 'ID'),
    );

    const untouched = await api.graphql(GET_EXPORT_JOB, { id: job.id });
    expect(untouched.data!.exportJob.status).toBe('NEW');
  });

  it("refuses to export into another tenant's dataset as if it did not exist", async () => {
    const response = await api.graphql(CREATE_EXPORT_JOB, { input: jobInput(datasetId) }, ORG_B);
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'destination.datasetId' });
    expect(response.errors![0]!.message).toBe(`Dataset "${datasetId}" does not exist`);
  });
});

describe('tenant names', () => {
  it('are 1 to 48 printable characters of at most 144 bytes: 48 emoji do not fit the indexes', () => {
    expect(isTenantName('é'.repeat(48))).toBe(true);
    expect(isTenantName('€'.repeat(48))).toBe(true);
    expect(isTenantName('😀'.repeat(36))).toBe(true);
    expect(isTenantName('😀'.repeat(37))).toBe(false);
    expect(isTenantName('a'.repeat(49))).toBe(false);
  });
});
