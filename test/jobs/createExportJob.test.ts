import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_EXPORT_JOB, GET_EXPORT_JOB } from '../fixtures/operations';
import { storageTargets } from '../helpers/databases';
import { createDataset, createJob, jobInput, startServerWithDataset } from '../helpers/seedApi';
import { subscriptionClient } from '../helpers/subscriptions';
import { startTestServer, TENANT, type TestServer } from '../helpers/testServer';

describe.each(storageTargets)('createExportJob on $name', (target) => {
  let api: TestServer;
  let datasetId: string;

  beforeAll(async () => ({ api, datasetId } = await startServerWithDataset(target)));
  afterAll(() => api?.close());

  it('creates a NEW job with every default applied and visible', async () => {
    const before = Date.now();
    const response = await api.graphql(CREATE_EXPORT_JOB, {
      input: {
        destination: { datasetId },
        schema: { name: '_xdm.context.profile' },
        filter: { segments: [{ segmentId: 'seg-1' }] },
      },
    });
    expect(response.errors).toBeUndefined();
    const job = response.data!.createExportJob;
    expect(job).toMatchObject({
      jobType: 'BATCH',
      status: 'NEW',
      fields: null,
      schema: { name: '_xdm.context.profile' },
      mergePolicy: { id: 'timestampOrdered-none-mp', version: 1 },
      filter: {
        segments: [{ segmentId: 'seg-1', segmentNs: null, status: ['REALIZED', 'EXISTING'] }],
        segmentQualificationTime: null,
        fromIngestTimestamp: null,
        emptyProfiles: false,
      },
      additionalFields: null,
      destination: { datasetId, segmentPerBatch: false, batchId: null, batches: null },
      evaluationInfo: { segmentation: false },
      errors: [],
      progress: { processedProfiles: 0, totalProfiles: null, percent: 0 },
      computeGatewayJobId: null,
      imsOrgId: TENANT['x-gw-ims-org-id'],
      sandboxName: 'prod',
      profileInstanceId: 'ups',
      dataset: { id: datasetId, name: 'Profile export' },
    });
    expect(job.id).toMatch(/^\d+$/);
    expect(job.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(job.metrics.totalTime.endTime).toBeNull();
    expect(job.metrics.totalExportedProfileCounter).toBe(0);
    expect(job.metrics.exportedProfileByNamespaceCounter).toEqual([]);
    const started = Date.parse(job.metrics.totalTime.startTime);
    expect(started).toBeGreaterThanOrEqual(before - 1000);
    expect(started).toBe(Date.parse(job.creationTime));
  });

  it('keeps every option the client gives, normalised', async () => {
    const response = await api.graphql(CREATE_EXPORT_JOB, {
      input: jobInput(datasetId, {
        fields: ' identities.id , personalEmail.address,identities.id',
        mergePolicy: { id: 'custom-mp' },
        filter: {
          segments: [
            { segmentId: 'a', segmentNs: 'ups', status: ['EXITED'] },
            { segmentId: 'b', status: ['REALIZED', 'REALIZED', 'EXITED'] },
          ],
          segmentQualificationTime: { startTime: '2026-01-01T00:00:00Z', endTime: '2026-02-01T00:00:00+01:00' },
          fromIngestTimestamp: '2025-12-31T23:00:00.500Z',
          emptyProfiles: true,
        },
        additionalFields: {
          eventList: {
            fields: 'environment.browserDetails.name',
            filter: { fromIngestTimestamp: '2026-01-01T00:00:00Z' },
          },
        },
        destination: { datasetId, segmentPerBatch: true },
        evaluationInfo: { segmentation: true },
      }),
    });
    expect(response.errors).toBeUndefined();
    expect(response.data!.createExportJob).toMatchObject({
      fields: 'identities.id,personalEmail.address',
      mergePolicy: { id: 'custom-mp', version: 1 },
      filter: {
        segments: [
          { segmentId: 'a', segmentNs: 'ups', status: ['EXITED'] },
          { segmentId: 'b', segmentNs: null, status: ['REALIZED', 'EXITED'] },
        ],
        segmentQualificationTime: { startTime: '2026-01-01T00:00:00.000Z', endTime: '2026-01-31T23:00:00.000Z' },
        fromIngestTimestamp: '2025-12-31T23:00:00.500Z',
        emptyProfiles: true,
      },
      additionalFields: {
        eventList: {
          fields: 'environment.browserDetails.name',
          filter: { fromIngestTimestamp: '2026-01-01T00:00:00.000Z', toIngestTimestamp: null },
        },
      },
      destination: { datasetId, segmentPerBatch: true },
      evaluationInfo: { segmentation: true },
    });
  });

  it('takes the request id from x-request-id and echoes it back', async () => {
    const response = await api.graphql(
      CREATE_EXPORT_JOB,
      { input: jobInput(datasetId) },
      { ...TENANT, 'x-request-id': 'req-123' },
    );
    expect(response.data!.createExportJob.requestId).toBe('req-123');
    expect(response.headers.get('x-request-id')).toBe('req-123');
  });

  it('keeps a request id of a WebSocket only when it is 1 to 200 printable characters, and makes one otherwise', async () => {
    const cases: [given: string, kept: boolean][] = [['ws-req-1', true], ['a\u0000b', false], ['x'.repeat(201), false]];
    for (const [given, kept] of cases) {
      const client = subscriptionClient(api, { ...TENANT, 'x-request-id': given });
      try {
        const result = await new Promise<{ data?: any; errors?: unknown }>((resolve, reject) => {
          client.subscribe({ query: CREATE_EXPORT_JOB, variables: { input: jobInput(datasetId) } }, { next: resolve, error: reject, complete: () => {} });
        });
        expect(result.errors).toBeUndefined();
        const { requestId } = result.data.createExportJob;
        if (kept) expect(requestId).toBe(given);
        else expect(requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      } finally {
        await client.dispose();
      }
    }
  });

  it('gives jobs increasing integer ids and reads them back by id', async () => {
    const first = await createJob(api, datasetId);
    const second = await createJob(api, datasetId);
    expect(Number(second.id)).toBeGreaterThan(Number(first.id));
    const response = await api.graphql(GET_EXPORT_JOB, { id: second.id });
    expect(response.data!.exportJob).toEqual(second);
  });

  it('answers null for a job id that does not exist or is not a number', async () => {
    for (const id of ['999999999', 'abc', '-1', '']) {
      const response = await api.graphql(GET_EXPORT_JOB, { id });
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ exportJob: null });
    }
  });

  it('returns the first job for a repeated idempotency key and writes nothing', async () => {
    const input = jobInput(datasetId, { idempotencyKey: 'nightly-2026-11-23' });
    const first = await api.graphql(CREATE_EXPORT_JOB, { input });
    api.resetQueries();
    const again = await api.graphql(CREATE_EXPORT_JOB, { input: { ...input, fields: 'other.field' } });
    expect(again.data!.createExportJob).toEqual(first.data!.createExportJob);
    expect(api.queries.filter((query) => /^\s*(insert|update|delete)/i.test(query))).toEqual([]);
  });

  it('returns the first job for a repeated key even when the retry breaks a rule of the input made since', async () => {
    const input = jobInput(datasetId, { idempotencyKey: 'before-the-rule' });
    const first = await api.graphql(CREATE_EXPORT_JOB, { input });
    // A qualification window without segments is refused now; a job created before was not.
    const retry = { ...input, filter: { segmentQualificationTime: { startTime: '2026-01-01T00:00:00Z' } } };
    const again = await api.graphql(CREATE_EXPORT_JOB, { input: retry });
    expect(again.errors).toBeUndefined();
    expect(again.data!.createExportJob.id).toBe(first.data!.createExportJob.id);
  });

  it('creates exactly one job when requests with the same key race', async () => {
    const input = jobInput(datasetId, { idempotencyKey: 'race' });
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => api.graphql(CREATE_EXPORT_JOB, { input })),
    );
    const ids = new Set(responses.map((response) => response.data?.createExportJob.id));
    expect(responses.every((response) => response.errors === undefined)).toBe(true);
    expect(ids.size).toBe(1);
  });

  it('scopes idempotency keys to the tenant', async () => {
    const input = jobInput(datasetId, { idempotencyKey: 'shared-key' });
    const mine = await api.graphql(CREATE_EXPORT_JOB, { input });
    const otherSandbox = { ...TENANT, 'x-sandbox-name': 'dev' };
    const otherDataset = await createDataset(api, otherSandbox);
    const theirs = await api.graphql(
      CREATE_EXPORT_JOB,
      { input: jobInput(otherDataset, { idempotencyKey: 'shared-key' }) },
      otherSandbox,
    );
    expect(theirs.data!.createExportJob.id).not.toBe(mine.data!.createExportJob.id);
    expect(theirs.data!.createExportJob.sandboxName).toBe('dev');
  });
});

describe.each(storageTargets)('createExportJob at a full quota on $name', (target) => {
  let api: TestServer;
  let datasetId: string;

  beforeAll(async () => {
    api = await startTestServer(target, {}, {}, { queuedJobs: 1 });
    datasetId = await createDataset(api);
  });
  afterAll(() => api?.close());

  it('answers every request racing with one idempotency key with the job, though it fills the quota', async () => {
    const input = jobInput(datasetId, { idempotencyKey: 'retried' });
    const responses = await Promise.all(Array.from({ length: 4 }, () => api.graphql(CREATE_EXPORT_JOB, { input })));
    expect(responses.map((response) => response.errors)).toEqual([undefined, undefined, undefined, undefined]);
    expect(new Set(responses.map((response) => response.data!.createExportJob.id)).size).toBe(1);
    const other = await api.graphql(CREATE_EXPORT_JOB, { input: jobInput(datasetId, { idempotencyKey: 'another' }) });
    expect(other.errors![0]!.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', quota: 'queuedJobs' });
  });
});
