import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { selectsFrom } from '../helpers/expectations';
import { createDataset } from '../helpers/seedApi';
import { insertBatch, insertRecords, profileIds, sampleRecord } from '../helpers/seedBatches';
import { NO_AUTH, startTestServer, TENANT, type TestServer } from '../helpers/testServer';
import { QUIET_LOGGER } from '../helpers/quietLogger';
import { createAuthenticator } from '../../src/auth/authenticator';
import { batchRecordsHandler } from '../../src/http/batchRecordsHandler';
import { createTenantRateLimiter } from '../../src/limits/tenantRateLimiter';
import { batches } from '../../src/db/schema';
import { eq } from 'drizzle-orm';

const isRecordSelect = selectsFrom('batch_records');

/** Records in a stable order (their address is unique): equal lists mean each record exactly once. */
const sortByAddress = (records: Record<string, any>[]) =>
  [...records].sort((a, b) => (a.personalEmail.address < b.personalEmail.address ? -1 : 1));

describe.each(storageTargets)('GET /data/batches/{id}/records on $name', (target) => {
  let api: TestServer;
  let datasetId: string;

  beforeAll(async () => {
    api = await startTestServer(target);
    datasetId = await createDataset(api);
  });
  afterAll(() => api?.close());

  const recordsUrl = (batchId: string) =>
    new URL(`/data/batches/${encodeURIComponent(batchId)}/records`, api.server.url).toString();

  const getRecords = (batchId: string, headers: Record<string, string> = TENANT, signal?: AbortSignal) =>
    fetch(recordsUrl(batchId), { headers, ...(signal ? { signal } : {}) });

  it('streams every record of a 2,500-record batch exactly once as NDJSON, reading at most 1,000 at a time', async () => {
    const batch = await insertBatch(api, { datasetId, recordCount: 2500 });
    const records = await insertRecords(api, batch.id, profileIds(2500));
    api.resetQueries();

    const response = await getRecords(batch.id, { ...TENANT, 'x-request-id': 'ndjson-1' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    expect(response.headers.get('x-request-id')).toBe('ndjson-1');
    const body = await response.text();
    expect(body.endsWith('\n')).toBe(true);
    const lines = body.slice(0, -1).split('\n');
    expect(lines).toHaveLength(2500);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, any>);
    expect(sortByAddress(parsed)).toEqual(sortByAddress([...records.values()]));
    // Six chunks (16, 64, 256, 1,000, 1,000 and the last 164): the batch is never read whole.
    expect(api.queries.filter(isRecordSelect)).toHaveLength(6);
  });

  it.each([
    ['ABORTED', 'was cancelled'],
    ['FAILED', 'failed'],
  ] as const)('answers 410 GONE for an %s batch, not an empty stream a pipeline would take for no records', async (status, why) => {
    const batch = await insertBatch(api, { datasetId, status });
    await insertRecords(api, batch.id, profileIds(3, `left-${status}`));
    const response = await getRecords(batch.id);
    expect(response.status).toBe(410);
    const body = (await response.json()) as { errors: { message: string; extensions: unknown }[] };
    expect(body.errors).toEqual([{ message: `Batch "${batch.id}"'s job ${why}: its partial records were removed`, extensions: { code: 'GONE' } }]);
  });

  it('answers 409 CONFLICT for a batch its job is still writing, not the part written so far', async () => {
    const batch = await insertBatch(api, { datasetId, status: 'LOADING' });
    await insertRecords(api, batch.id, profileIds(3, 'loading'));
    const response = await getRecords(batch.id);
    expect(response.status).toBe(409);
    const body = (await response.json()) as { errors: { message: string; extensions: unknown }[] };
    expect(body.errors).toEqual([
      { message: `Batch "${batch.id}" is still being written by its job: read it once its status is SUCCESS`, extensions: { code: 'CONFLICT' } },
    ]);
  });

  it('answers an empty body for a batch without records', async () => {
    const batch = await insertBatch(api, { datasetId, recordCount: 0 });
    const response = await getRecords(batch.id);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    expect(await response.text()).toBe('');
  });

  it.each([
    ['no organisation header', {}],
    ['a blank organisation header', { 'x-gw-ims-org-id': '  ' }],
    ['a non-bearer Authorization header', { ...TENANT, authorization: 'Basic dXNlcjpwYXNz' }],
  ])('answers 401 UNAUTHENTICATED for a request with %s and reads nothing', async (_case, headers) => {
    const batch = await insertBatch(api, { datasetId });
    await insertRecords(api, batch.id, profileIds(2));
    api.resetQueries();
    const response = await getRecords(batch.id, headers);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as { errors: { message: string; extensions: unknown }[] };
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]!.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    expect(api.queries).toEqual([]);
  });

  it('answers 404 NOT_FOUND alike for a missing batch and for another organisation’s or sandbox’s', async () => {
    const batch = await insertBatch(api, { datasetId });
    await insertRecords(api, batch.id, profileIds(2));
    const missingId = '00000000000000000000000000000000';
    const missing = await getRecords(missingId);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/json');
    const missingBody = await missing.text();
    expect(JSON.parse(missingBody)).toEqual({
      errors: [{ message: expect.any(String), extensions: { code: 'NOT_FOUND' } }],
    });
    for (const foreign of [{ 'x-gw-ims-org-id': 'ORG_B@AdobeOrg' }, { ...TENANT, 'x-sandbox-name': 'dev' }]) {
      const response = await getRecords(batch.id, foreign);
      expect(response.status).toBe(404);
      expect((await response.text()).replace(batch.id, 'ID')).toBe(missingBody.replace(missingId, 'ID'));
    }
    expect((await getRecords('%E0%A4%A')).status).toBe(404);
  });

  it('cuts, rather than ends, the stream of a batch whose results expire while it is read', async () => {
    const batch = await insertBatch(api, { datasetId });
    // About 20 MB: far more than the socket and the client buffer before the client reads on.
    await insertRecords(api, batch.id, profileIds(20_000, 'cut'), (id) => sampleRecord(id, 'x'.repeat(1000)));
    const response = await getRecords(batch.id);
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    await reader.read();
    // The sweeper's mark, as it starts deleting the records, while the client still reads.
    await api.database.db.update(batches).set({ status: 'EXPIRED' }).where(eq(batches.id, batch.id));
    const rest = (async () => {
      for (;;) if ((await reader.read()).done) return 'ended';
    })();
    await expect(rest).rejects.toThrow();
    expect(api.logs.some((line) => line.includes('Batch records cut'))).toBe(true);
  });

  it('stops reading records once the client disconnects', async () => {
    // 20 chunks of about 1 MB: far more than the socket and the client buffer before the client reads.
    const batch = await insertBatch(api, { datasetId });
    await insertRecords(api, batch.id, profileIds(20_000, 'big'), (id) => sampleRecord(id, 'x'.repeat(1000)));
    api.resetQueries();

    const abort = new AbortController();
    const response = await getRecords(batch.id, TENANT, abort.signal);
    const reader = response.body!.getReader();
    await reader.read();
    abort.abort();
    await reader.cancel().catch(() => {});
    await sleep(500);
    const chunksRead = api.queries.filter(isRecordSelect).length;
    expect(chunksRead).toBeGreaterThan(0);
    expect(chunksRead).toBeLessThan(10);
    await sleep(300);
    expect(api.queries.filter(isRecordSelect)).toHaveLength(chunksRead);
    expect(api.logs.filter((line) => line.includes('"level":"error"'))).toEqual([]);
  });

  it('cuts a download whose client stays connected but stops reading, and reads no more records', async () => {
    const batch = await insertBatch(api, { datasetId });
    await insertRecords(api, batch.id, profileIds(20_000, 'stall'), (id) => sampleRecord(id, 'x'.repeat(1000)));
    // The server's handler over the same database, its stall limit at 300 ms instead of 60 s.
    const handle = batchRecordsHandler(
      api.database.db,
      createAuthenticator(NO_AUTH),
      await createTenantRateLimiter(api.database, 1_000),
      QUIET_LOGGER,
      300,
    );
    const handled: Promise<void>[] = [];
    const stalling = createServer((req, res) => void handled.push(handle(req, res)));
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
    const client = connect((stalling.address() as AddressInfo).port, '127.0.0.1');
    try {
      api.resetQueries();
      // A raw socket that never reads past its first buffer: no 'data' listener, never resumed.
      const headers = Object.entries(TENANT).map(([name, value]) => `${name}: ${value}\r\n`).join('');
      client.write(`GET /data/batches/${batch.id}/records HTTP/1.1\r\nhost: 127.0.0.1\r\n${headers}\r\n`);
      for (let waited = 0; handled.length === 0; waited += 10) {
        if (waited > 5_000) throw new Error('The request never reached the handler');
        await sleep(10);
      }
      const outcome = await Promise.race([Promise.all(handled).then(() => 'cut'), sleep(10_000, 'still streaming')]);
      expect(outcome).toBe('cut');
      // It stopped reading where the client stopped: not the whole batch.
      const chunksRead = api.queries.filter(isRecordSelect).length;
      expect(chunksRead).toBeGreaterThan(0);
      expect(chunksRead).toBeLessThan(20);
      await sleep(300);
      expect(api.queries.filter(isRecordSelect)).toHaveLength(chunksRead);
    } finally {
      client.destroy();
      stalling.closeAllConnections();
      await new Promise<void>((resolve) => stalling.close(() => resolve()));
    }
  });
});
