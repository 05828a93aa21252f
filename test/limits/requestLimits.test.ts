/** Every bound on a request answers with its own code, and the server goes on answering (LIMIT_*). */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { exportJobs } from '../../src/db/schema';
import { PROFILE_SCHEMA_REF } from '../fixtures/operations';
import { storageTargets } from '../helpers/databases';
import { startTestServer, TENANT, type TestServer } from '../helpers/testServer';

const pglite = storageTargets.find((target) => target.name === 'pglite')!;
const LIMITS = {
  queryDepth: 6,
  queryAliases: 5,
  queryTokens: 500,
  queryDirectives: 3,
  queryCost: 500,
  bodyBytes: 64 * 1024,
  batchOperations: 3,
  variablesBytes: 8 * 1024,
  wsMessageBytes: 4 * 1024,
  wsSubscriptions: 2,
  wsConnectionsPerTenant: 2,
  jobsPerDay: 3,
  queuedJobs: 2,
};

describe('the bounds on a request', () => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(pglite, {}, {}, LIMITS);
  });
  afterAll(() => api?.close());

  async function post(body: string): Promise<{ status: number; body: any }> {
    const response = await fetch(api.server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...TENANT }, body });
    return { status: response.status, body: await response.json() };
  }
  const stillAnswers = async () => expect((await api.graphql('{ exportJobs(first: 1) { edges { cursor } } }')).errors).toBeUndefined();

  it.each([
    ['deeper than the limit, fragments counted', `{ ${'... on Query { '.repeat(7)}__typename${' }'.repeat(7)} }`, 'QUERY_TOO_DEEP'],
    ['more aliases than the limit', `{ ${Array.from({ length: 6 }, (_, i) => `a${i}: exportJob(id: "1") { id }`).join(' ')} }`, 'TOO_MANY_ALIASES'],
    ['more directives than the limit', '{ __typename @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) }', 'TOO_MANY_DIRECTIVES'],
    ['more tokens than the limit', `{ ${'__typename '.repeat(600)}}`, 'TOO_MANY_TOKENS'],
    ['costlier than the limit (first multiplies)', '{ exportJobs(first: 100) { edges { node { id status fields creationTime updateTime requestId } } } }', 'QUERY_TOO_COSTLY'],
  ])('refuses a document %s with its own code, HTTP 400', async (_case, query, code) => {
    const answer = await post(JSON.stringify({ query }));
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].extensions.code).toBe(code);
    expect(answer.body.data).toBeUndefined();
    await stillAnswers();
  });

  it('prices a page by its first: 10 costs less than 100', async () => {
    const page = (first: number) => `{ exportJobs(first: ${first}) { edges { node { id status fields creationTime updateTime requestId } } } }`;
    expect((await post(JSON.stringify({ query: page(10) }))).body.errors).toBeUndefined();
    expect((await post(JSON.stringify({ query: page(100) }))).body.errors[0].extensions.code).toBe('QUERY_TOO_COSTLY');
  });

  it('refuses a body over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const answer = await post(JSON.stringify({ query: '{ __typename }', padding: 'x'.repeat(70 * 1024) }));
    expect(answer.status).toBe(413);
    expect(answer.body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    await stillAnswers();
  });

  it('refuses variables over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const answer = await post(JSON.stringify({ query: 'query($id: ID!) { exportJob(id: $id) { id } }', variables: { id: 'x'.repeat(9 * 1024) } }));
    expect(answer.status).toBe(413);
    expect(answer.body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers a batch of up to the limit, and refuses a larger one with TOO_MANY_OPERATIONS', async () => {
    const batch = (n: number) => JSON.stringify(Array.from({ length: n }, () => ({ query: '{ __typename }' })));
    const accepted = await post(batch(3));
    expect(accepted.status).toBe(200);
    expect(accepted.body).toHaveLength(3);
    const refused = await post(batch(4));
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].extensions.code).toBe('TOO_MANY_OPERATIONS');
  });

  it('holds a tenant to its jobs a day and its queued jobs, says so in exportLimits, and creates nothing more', async () => {
    const headers = { 'x-gw-ims-org-id': 'ORG_QUOTA@AdobeOrg' };
    const dataset = await api.graphql('mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id } }', { i: { name: 'q', schemaRef: PROFILE_SCHEMA_REF } }, headers);
    const create = () =>
      api.graphql(
        'mutation($i: CreateExportJobInput!) { createExportJob(input: $i) { id } }',
        { i: { destination: { datasetId: dataset.data!.createDataset.id }, schema: { name: '_xdm.context.profile' } } },
        headers,
      );
    expect((await create()).errors).toBeUndefined();
    expect((await create()).errors).toBeUndefined();
    const third = await create();
    expect(third.errors![0]!.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', quota: 'queuedJobs' });
    const limits = await api.graphql('{ exportLimits { jobsPerDay { max used remaining } queuedJobs { max used remaining } request { maxDepth maxCost } } }', {}, headers);
    expect(limits.data!.exportLimits).toEqual({
      jobsPerDay: { max: 3, used: 2, remaining: 1 },
      queuedJobs: { max: 2, used: 2, remaining: 0 },
      request: { maxDepth: 6, maxCost: 500 },
    });
    const jobs = await api.graphql('{ exportJobs { totalCount } }', {}, headers);
    expect(jobs.data!.exportJobs.totalCount).toBe(2);
  });

  it('closes a socket whose message is over the limit (1009), and holds a socket to its subscriptions and a tenant to its sockets', async () => {
    const url = api.server.url.replace(/^http/, 'ws');
    const open = (payload: Record<string, string> = TENANT) =>
      new Promise<{ socket: WebSocket; messages: any[]; closed: Promise<number> }>((resolve, reject) => {
        const socket = new WebSocket(url, 'graphql-transport-ws');
        const messages: any[] = [];
        const closed = new Promise<number>((done) => socket.on('close', (code) => done(code)));
        socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
        socket.on('message', (data) => {
          const message = JSON.parse(String(data));
          messages.push(message);
          if (message.type === 'connection_ack') resolve({ socket, messages, closed });
        });
        socket.on('error', reject);
        void closed.then((code) => resolve({ socket, messages, closed: Promise.resolve(code) }));
      });
    const first = await open();
    first.socket.send(JSON.stringify({ type: 'ping', payload: { padding: 'x'.repeat(5 * 1024) } }));
    expect(await first.closed).toBe(1009);

    const second = await open();
    const subscribe = (id: string) =>
      second.socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: 'subscription { jobStatusChanged { sequence } }' } }));
    subscribe('1');
    subscribe('2');
    subscribe('3');
    await expect.poll(() => second.messages.find((message) => message.id === '3'), { timeout: 3_000 }).toBeDefined();
    expect(second.messages.find((message) => message.id === '3')).toMatchObject({
      type: 'error',
      payload: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'TOO_MANY_SUBSCRIPTIONS' }) })],
    });

    const third = await open();
    const fourth = await open();
    expect(await fourth.closed).toBe(4430);
    second.socket.close();
    third.socket.close();
  });
});

describe('the jobs-a-day quota', () => {
  let api: TestServer;

  beforeAll(async () => {
    // Queued jobs far from their limit: only the jobs of the last 24 hours can refuse.
    api = await startTestServer(pglite, {}, {}, { jobsPerDay: 2, queuedJobs: 50 });
  });
  afterAll(() => api?.close());

  it('refuses a job past LIMIT_JOBS_PER_DAY with LIMIT_EXCEEDED (quota jobsPerDay), counting only the last 24 hours', async () => {
    const headers = { 'x-gw-ims-org-id': 'ORG_DAILY@AdobeOrg' };
    const dataset = await api.graphql('mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id } }', { i: { name: 'd', schemaRef: PROFILE_SCHEMA_REF } }, headers);
    const create = () =>
      api.graphql(
        'mutation($i: CreateExportJobInput!) { createExportJob(input: $i) { id } }',
        { i: { destination: { datasetId: dataset.data!.createDataset.id }, schema: { name: '_xdm.context.profile' } } },
        headers,
      );
    const first = await create();
    expect(first.errors).toBeUndefined();
    expect((await create()).errors).toBeUndefined();

    const refused = await create();
    expect(refused.status).toBe(200);
    expect(refused.data).toBeNull();
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors![0]!.extensions).toEqual({ code: 'LIMIT_EXCEEDED', quota: 'jobsPerDay' });
    const limits = () => api.graphql('{ exportLimits { jobsPerDay { max used remaining } queuedJobs { max used remaining } } exportJobs { totalCount } }', {}, headers);
    expect((await limits()).data).toEqual({
      exportLimits: { jobsPerDay: { max: 2, used: 2, remaining: 0 }, queuedJobs: { max: 50, used: 2, remaining: 48 } },
      exportJobs: { totalCount: 2 },
    });
    // Another tenant has a day of its own.
    expect((await api.graphql('{ exportLimits { jobsPerDay { used remaining } } }')).data!.exportLimits.jobsPerDay).toEqual({ used: 0, remaining: 2 });

    // A job created 25 hours ago no longer counts: the tenant may create one more, and no more.
    const dayAndHourAgo = new Date(Date.now() - 25 * 60 * 60 * 1000);
    await api.database.db.update(exportJobs).set({ creationTime: dayAndHourAgo }).where(eq(exportJobs.id, Number(first.data!.createExportJob.id)));
    expect((await create()).errors).toBeUndefined();
    expect((await create()).errors![0]!.extensions).toEqual({ code: 'LIMIT_EXCEEDED', quota: 'jobsPerDay' });
    expect((await limits()).data!.exportLimits.jobsPerDay).toEqual({ max: 2, used: 2, remaining: 0 });
    expect((await limits()).data!.exportJobs.totalCount).toBe(3);
    // Back in the day (as after a lower limit): the refusal says how many, not the limit twice.
    await api.database.db.update(exportJobs).set({ creationTime: new Date() }).where(eq(exportJobs.id, Number(first.data!.createExportJob.id)));
    expect((await create()).errors![0]!.message).toBe('The tenant has created 3 jobs in the last 24 hours; its limit is 2');
  });
});
