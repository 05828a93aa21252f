/**
 * Retention of results (RESULT_TTL_DAYS): a succeeded job's batches expire
 * that long after it; from then on a batch is EXPIRED, holds no records or
 * files, and its download links and record stream answer 410. The runner's
 * sweeper removes the files, file rows and records in steps, and finishes a
 * sweep that a crash interrupted. Through the real server, on both databases.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { count, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batches, batchFiles, batchRecords } from '../../src/db/schema';
import { SWEEP_STEP } from '../../src/runner/resultSweeper';
import { storageTargets } from '../helpers/databases';
import { ingest, startExport, waitForJob, type ProfileSpec } from '../helpers/exportFlow';
import { createDataset } from '../helpers/seedApi';
import { insertBatch, insertRecords, profileIds } from '../helpers/seedBatches';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { testFilesDir } from '../helpers/testFiles';

let tenants = 0;
const freshTenant = () => ({ 'x-gw-ims-org-id': `ORG_EXPIRY_${++tenants}@AdobeOrg` });

const PROFILES: ProfileSpec[] = [1, 2, 3].map((n) => ({
  profileId: `p${n}`,
  identities: [{ namespace: 'email', id: `p${n}@example.com` }],
  attributes: { score: n },
}));

const BATCH = /* GraphQL */ `
  query Batch($id: ID!) {
    batch(id: $id) {
      status expiresAt manifest
      files { name downloadUrl }
      records(first: 10) { edges { node } }
    }
  }
`;

const TTL_DAYS = 3;
const DAY_MS = 24 * 60 * 60 * 1000;

describe.each(storageTargets)('expiry of results on $name', (target) => {
  /** Sweeps every 100 ms. */
  let api: TestServer;
  /** Sweeps once an hour: what readers see between a batch's expiry and the sweep. */
  let unswept: TestServer;

  beforeAll(async () => {
    [api, unswept] = await Promise.all([
      startTestServer(target, { concurrency: 1, resultTtlDays: TTL_DAYS, resultSweepMs: 100 }),
      startTestServer(target, { concurrency: 1, resultTtlDays: TTL_DAYS, resultSweepMs: 3_600_000 }),
    ]);
  });
  afterAll(() => Promise.all([api?.close(), unswept?.close()]));

  async function exportOn(server: TestServer) {
    const headers = freshTenant();
    await ingest(server, PROFILES, headers);
    const { jobId } = await startExport(server, {}, headers);
    const job = await waitForJob(server, jobId, undefined, headers);
    expect(job.status).toBe('SUCCEEDED');
    const batchId = job.destination.batchId as string;
    const response = await server.graphql(BATCH, { id: batchId }, headers);
    expect(response.errors).toBeUndefined();
    return { jobId, batchId, headers, job, batch: response.data!.batch };
  }

  const expireNow = (server: TestServer, batchId: string) =>
    server.database.db.update(batches).set({ expiresAt: sql`now() - interval '1 minute'` }).where(eq(batches.id, batchId));

  async function waitUntilPurged(server: TestServer, batchIds: string[], timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await server.database.db.select({ purgedAt: batches.purgedAt }).from(batches).where(inArray(batches.id, batchIds));
      if (rows.length === batchIds.length && rows.every((row) => row.purgedAt !== null)) return;
      if (Date.now() > deadline) throw new Error(`Batches not swept after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function leftOf(server: TestServer, batchId: string) {
    const { db } = server.database;
    const [records] = await db.select({ n: count() }).from(batchRecords).where(eq(batchRecords.batchId, batchId));
    const [files] = await db.select({ n: count() }).from(batchFiles).where(eq(batchFiles.batchId, batchId));
    return { records: records!.n, fileRows: files!.n };
  }

  const recordsUrl = (server: TestServer, batchId: string) => new URL(`/data/batches/${encodeURIComponent(batchId)}/records`, server.server.url).toString();

  it('keeps a succeeded job\'s results RESULT_TTL_DAYS from its end: Batch.expiresAt', async () => {
    const { job, batch } = await exportOn(api);
    expect(batch.status).toBe('SUCCESS');
    const expected = new Date(job.metrics.totalTime.endTime).getTime() + TTL_DAYS * DAY_MS;
    expect(Math.abs(new Date(batch.expiresAt).getTime() - expected)).toBeLessThan(5_000);
    expect(batch.files).toHaveLength(1);
  });

  it('sweeps an expired batch: files, file rows and records removed, links and the record stream 410, other batches untouched', async () => {
    const expiring = await exportOn(api);
    const kept = await exportOn(api);
    const link = expiring.batch.files[0].downloadUrl as string;
    expect((await fetch(link)).status).toBe(200);

    await expireNow(api, expiring.batchId);
    await waitUntilPurged(api, [expiring.batchId]);

    const after = await api.graphql(BATCH, { id: expiring.batchId }, expiring.headers);
    expect(after.errors).toBeUndefined();
    expect(after.data!.batch).toMatchObject({ status: 'EXPIRED', files: [], records: { edges: [] } });
    expect(after.data!.batch.manifest.files).toEqual([]);
    expect(new Date(after.data!.batch.expiresAt).getTime()).toBeLessThan(Date.now());

    const download = await fetch(link);
    expect(download.status).toBe(410);
    expect(await download.json()).toMatchObject({ errors: [{ extensions: { code: 'GONE' } }] });
    const stream = await fetch(recordsUrl(api, expiring.batchId), { headers: expiring.headers });
    expect(stream.status).toBe(410);
    expect(await stream.json()).toMatchObject({ errors: [{ extensions: { code: 'GONE' } }] });

    expect(await leftOf(api, expiring.batchId)).toEqual({ records: 0, fileRows: 0 });
    expect(existsSync(join(testFilesDir(), expiring.jobId, expiring.batchId))).toBe(false);
    // Its job's directory too, now empty: one per job ever run would pile up.
    expect(existsSync(join(testFilesDir(), expiring.jobId))).toBe(false);

    // The other job's results are all there.
    const other = await api.graphql(BATCH, { id: kept.batchId }, kept.headers);
    expect(other.data!.batch.status).toBe('SUCCESS');
    expect(other.data!.batch.records.edges).toHaveLength(PROFILES.length);
    expect((await fetch(kept.batch.files[0].downloadUrl)).status).toBe(200);
    expect(await leftOf(api, kept.batchId)).toEqual({ records: PROFILES.length, fileRows: 1 });
  });

  it('answers EXPIRED and 410 from the moment of expiry, before the sweeper has come by', async () => {
    const { batchId, jobId, headers, batch } = await exportOn(unswept);
    await expireNow(unswept, batchId);

    const after = await unswept.graphql(BATCH, { id: batchId }, headers);
    expect(after.data!.batch).toMatchObject({ status: 'EXPIRED', files: [], records: { edges: [] } });
    expect((await fetch(batch.files[0].downloadUrl)).status).toBe(410);
    expect((await fetch(recordsUrl(unswept, batchId), { headers })).status).toBe(410);
    // Nothing is removed yet: only the sweeper deletes.
    expect(await leftOf(unswept, batchId)).toEqual({ records: PROFILES.length, fileRows: 1 });
    expect(existsSync(join(testFilesDir(), jobId, batchId))).toBe(true);
  });

  it('finishes a sweep a crash interrupted once its lease has run out: a batch marked EXPIRED whose files and records are still there', async () => {
    const { batchId, jobId } = await exportOn(api);
    // What a sweeper that died after its first step leaves, once its lease ran out: EXPIRED, file rows gone, files and records left.
    await api.database.db.transaction(async (tx) => {
      await tx
        .update(batches)
        .set({ status: 'EXPIRED', expiresAt: sql`now() - interval '1 minute'`, sweptUntil: sql`now() - interval '1 second'` })
        .where(eq(batches.id, batchId));
      await tx.delete(batchFiles).where(eq(batchFiles.batchId, batchId));
    });
    await waitUntilPurged(api, [batchId]);
    expect(await leftOf(api, batchId)).toEqual({ records: 0, fileRows: 0 });
    expect(existsSync(join(testFilesDir(), jobId, batchId))).toBe(false);
  });

  it('leaves a batch another sweeper holds alone until that sweeper’s lease runs out', async () => {
    const { batchId, jobId } = await exportOn(api);
    // Held by another sweeper (another runner) for an hour.
    await api.database.db
      .update(batches)
      .set({ status: 'EXPIRED', expiresAt: sql`now() - interval '1 minute'`, sweptUntil: sql`now() + interval '1 hour'` })
      .where(eq(batches.id, batchId));
    // This server sweeps every 100 ms: ten sweeps go by.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await leftOf(api, batchId)).toEqual({ records: PROFILES.length, fileRows: 1 });
    expect(existsSync(join(testFilesDir(), jobId, batchId))).toBe(true);

    await api.database.db.update(batches).set({ sweptUntil: sql`now() - interval '1 second'` }).where(eq(batches.id, batchId));
    await waitUntilPurged(api, [batchId]);
    expect(await leftOf(api, batchId)).toEqual({ records: 0, fileRows: 0 });
  });

  it(`sweeps more batches than one step takes (${SWEEP_STEP}), all of them`, async () => {
    const headers = freshTenant();
    const datasetId = await createDataset(api, headers);
    const many = [];
    // Of no job the runner would run (a job's completion rewrites its batches).
    for (let i = 0; i < SWEEP_STEP * 2 + 3; i++) many.push(await insertBatch(api, { datasetId, headers, jobId: 900_000 + i, recordCount: 3 }));
    for (const batch of many) await insertRecords(api, batch.id, profileIds(3, `b${batch.id}`));
    await api.database.db
      .update(batches)
      .set({ expiresAt: sql`now() - interval '1 minute'` })
      .where(inArray(batches.id, many.map((batch) => batch.id)));

    await waitUntilPurged(api, many.map((batch) => batch.id));
    const [left] = await api.database.db
      .select({ n: count() })
      .from(batchRecords)
      .where(inArray(batchRecords.batchId, many.map((batch) => batch.id)));
    expect(left!.n).toBe(0);
    const statuses = await api.database.db.select({ status: batches.status }).from(batches).where(inArray(batches.id, many.map((batch) => batch.id)));
    expect(new Set(statuses.map((row) => row.status))).toEqual(new Set(['EXPIRED']));
  });
});
