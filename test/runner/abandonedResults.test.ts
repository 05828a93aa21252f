/**
 * Records a dead run left behind (batches ABORTED or FAILED that still hold
 * records) are the result sweeper's to remove, a short statement at a time: a
 * runner that starts claims jobs at once rather than after them, and a sweeper
 * asked to stop leaves the rest for its next round.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchRecords } from '../../src/db/schema';
import { removeAbandonedResults } from '../../src/runner/abandonedResults';
import { chunkSizer } from '../../src/runner/chunkSizer';
import { storageTargets } from '../helpers/databases';
import { ingest, startExport, waitForJob } from '../helpers/exportFlow';
import { QUIET_LOGGER } from '../helpers/quietLogger';
import { createDataset } from '../helpers/seedApi';
import { insertBatch, insertRecords, profileIds } from '../helpers/seedBatches';
import { testFileStore } from '../helpers/testFiles';
import { startTestRunner } from '../helpers/testRunner';
import { startTestServer, type TestServer } from '../helpers/testServer';

let tenants = 0;

describe.each(storageTargets)('records a dead run abandoned, on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target);
  });
  afterAll(() => api?.close());

  /** An ABORTED batch of a fresh tenant holding `count` records, as a run killed while removing them leaves it. */
  async function abandonedBatch(count: number): Promise<{ batchId: string; headers: Record<string, string> }> {
    const headers = { 'x-gw-ims-org-id': `ORG_ABANDONED_${++tenants}_${target.name}@AdobeOrg` };
    const datasetId = await createDataset(api, headers);
    const batch = await insertBatch(api, { datasetId, headers, status: 'ABORTED', jobId: 700_000 + tenants });
    await insertRecords(api, batch.id, profileIds(count, `abandoned-${tenants}`));
    return { batchId: batch.id, headers };
  }

  const recordsLeft = async (batchId: string) =>
    (await api.database.db.select({ n: sql<number>`count(*)::int` }).from(batchRecords).where(eq(batchRecords.batchId, batchId)))[0]!.n;

  it('leaves them to the sweeper: a runner that starts exports a new job without removing them first', async () => {
    const { batchId, headers } = await abandonedBatch(500);
    await ingest(api, [{ profileId: 'p1' }], headers);
    const { jobId } = await startExport(api, {}, headers);
    const runner = startTestRunner(api, { concurrency: 1 });
    try {
      expect((await waitForJob(api, jobId, undefined, headers)).status).toBe('SUCCEEDED');
    } finally {
      await runner.stop();
    }
    expect(await recordsLeft(batchId)).toBe(500);
  });

  /** Records of every ABORTED or FAILED batch: what a sweep of abandoned records removes, other tests' included. */
  const abandonedRecords = async () =>
    (
      await api.database.db.execute<{ n: number }>(
        sql`select count(*)::int as n from batch_records r join batches b on b.id = r.batch_id where b.status in ('ABORTED', 'FAILED')`,
      )
    )[0]!.n;

  it('removes them a statement at a time, and stops between statements once asked to', async () => {
    const { batchId } = await abandonedBatch(1_000);
    const before = await abandonedRecords();
    let statements = 0;
    const removed = await removeAbandonedResults(
      { db: api.database.db, files: testFileStore(), sizer: chunkSizer({ max: 100, targetMs: 50 }), logger: QUIET_LOGGER },
      // Checked before each statement: the third check stops it, after two statements.
      () => ++statements > 2,
    );
    expect(removed).toBeGreaterThan(0);
    expect(removed).toBeLessThanOrEqual(200);
    expect(await abandonedRecords()).toBe(before - removed);
    // The next round (not stopped) finishes the batch.
    await removeAbandonedResults({ db: api.database.db, files: testFileStore(), sizer: chunkSizer({ max: 100, targetMs: 50 }), logger: QUIET_LOGGER });
    expect(await recordsLeft(batchId)).toBe(0);
  });
});
