/**
 * A batch whose files cannot be removed (the store refuses, a bucket is down)
 * must not hold up the sweep of the others: it stays due, held by the sweep's
 * lease, and the first sweep after the lease has run out finishes it. On both
 * databases, with a file store that fails on purpose.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database';
import { batchRecords, batches } from '../../src/db/schema';
import type { FileStore } from '../../src/files/fileStore';
import { chunkSizer } from '../../src/runner/chunkSizer';
import { startResultSweeper, SWEEP_STEP, sweepExpiredResults } from '../../src/runner/resultSweeper';
import { QUIET_LOGGER } from '../helpers/quietLogger';
import { waitUntil } from '../helpers/waitUntil';
import { newBatchId } from '../helpers/seedBatches';
import { storageTargets } from '../helpers/databases';

let tenants = 0;

/** A store whose removeBatch fails for the batches in `failing` (`once`: the first time only), and counts its calls. */
function storeFailingFor(failing: Set<string>, { once = false } = {}) {
  const removed: string[] = [];
  const store = {
    removeBatch: async (_jobId: number, batchId: string) => {
      if (once ? failing.delete(batchId) : failing.has(batchId)) throw new Error(`store refused ${batchId}`);
      removed.push(batchId);
    },
  } as Pick<FileStore, 'removeBatch'> as FileStore;
  return { store, removed };
}

describe.each(storageTargets)('the result sweeper when removing files fails, on $name', (target) => {
  let database: Database;
  const sizer = () => chunkSizer({ max: 1_000, targetMs: 50 });

  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(() => database?.close());

  /** `count` batches of a fresh tenant, two records each, expired a minute ago. */
  async function expiredBatches(count: number): Promise<string[]> {
    const orgId = `ORG_SWEEP_FAIL_${++tenants}_${target.name}@AdobeOrg`;
    const ids = Array.from({ length: count }, () => newBatchId());
    await database.db.insert(batches).values(
      ids.map((id, i) => ({
        id,
        orgId,
        sandboxName: 'prod',
        datasetId: 'dataset',
        jobId: 800_000 + tenants * 100 + i,
        status: 'SUCCESS' as const,
        recordCount: 2,
        expiresAt: new Date(Date.now() - 60_000),
      })),
    );
    await database.db.insert(batchRecords).values(
      ids.flatMap((batchId) => ['a', 'b'].map((p) => ({ batchId, profileId: `${batchId}-${p}`, record: { profileId: p } }))),
    );
    return ids;
  }

  async function stateOf(ids: string[]) {
    const rows = await database.db
      .select({ id: batches.id, status: batches.status, purged: sql<boolean>`${batches.purgedAt} is not null`, held: sql<boolean>`${batches.sweptUntil} > now()` })
      .from(batches)
      .where(inArray(batches.id, ids));
    const records = await database.db
      .select({ batchId: batchRecords.batchId, n: sql<number>`count(*)::int` })
      .from(batchRecords)
      .where(inArray(batchRecords.batchId, ids))
      .groupBy(batchRecords.batchId);
    const recordsOf = new Map(records.map((row) => [row.batchId, Number(row.n)]));
    return new Map(rows.map((row) => [row.id, { status: row.status, purged: Boolean(row.purged), held: Boolean(row.held), records: recordsOf.get(row.id) ?? 0 }]));
  }

  it('sweeps the other batches of the step, and finishes the failed one once its lease has run out', async () => {
    const ids = await expiredBatches(3);
    const [first, failed, last] = ids as [string, string, string];
    const failing = new Set([failed]);
    const { store, removed } = storeFailingFor(failing);

    const swept = await sweepExpiredResults({ db: database.db, files: store, sizer: sizer() });
    expect(swept.failed).toBeGreaterThanOrEqual(1);
    expect(removed).toEqual(expect.arrayContaining([first, last]));
    let state = await stateOf(ids);
    expect(state.get(first)).toEqual({ status: 'EXPIRED', purged: true, held: true, records: 0 });
    expect(state.get(last)).toEqual({ status: 'EXPIRED', purged: true, held: true, records: 0 });
    // Expired for readers, its records still there, held by the lease: no sweep takes it again meanwhile.
    expect(state.get(failed)).toEqual({ status: 'EXPIRED', purged: false, held: true, records: 2 });
    failing.clear();
    await sweepExpiredResults({ db: database.db, files: store, sizer: sizer() });
    expect((await stateOf([failed])).get(failed)).toMatchObject({ purged: false, records: 2 });

    // The lease runs out: the next sweep finishes it.
    await database.db.update(batches).set({ sweptUntil: sql`now() - interval '1 second'` }).where(eq(batches.id, failed));
    await sweepExpiredResults({ db: database.db, files: store, sizer: sizer() });
    state = await stateOf(ids);
    expect(state.get(failed)).toEqual({ status: 'EXPIRED', purged: true, held: true, records: 0 });
    expect(removed.filter((id) => id === failed)).toHaveLength(1);
  });

  it("removes at a later round what a run that ended its job without a result could not, the SUCCESS batches' left alone", async () => {
    const orgId = `ORG_SWEEP_ABANDONED_${++tenants}_${target.name}@AdobeOrg`;
    const [aborted, failed, kept] = [newBatchId(), newBatchId(), newBatchId()];
    const statuses = { [aborted]: 'ABORTED', [failed]: 'FAILED', [kept]: 'SUCCESS' } as const;
    await database.db.insert(batches).values(
      Object.entries(statuses).map(([id, status], i) => ({
        id,
        orgId,
        sandboxName: 'prod',
        datasetId: 'dataset',
        jobId: 900_000 + tenants * 10 + i,
        status,
        recordCount: 2,
      })),
    );
    await database.db.insert(batchRecords).values(
      [aborted, failed, kept].flatMap((batchId) => ['a', 'b'].map((p) => ({ batchId, profileId: `${batchId}-${p}`, record: { profileId: p } }))),
    );
    // The store refuses the first removal, as a bucket that is down for a moment does.
    const { store, removed } = storeFailingFor(new Set([aborted]), { once: true });
    const sweeper = startResultSweeper({ db: database.db, files: store, logger: QUIET_LOGGER, intervalMs: 100, sizer: sizer() });
    try {
      await waitUntil(async () => {
        const state = await stateOf([aborted, failed]);
        return [...state.values()].every((batch) => batch.records === 0);
      }, 10_000);
    } finally {
      await sweeper.stop();
    }
    expect(removed).toEqual(expect.arrayContaining([aborted, failed]));
    expect(removed).not.toContain(kept);
    expect((await stateOf([kept])).get(kept)).toMatchObject({ status: 'SUCCESS', records: 2 });
  });

  it('stops the round when a whole step fails (the store is down), leaving the rest due for the next', async () => {
    const ids = await expiredBatches(SWEEP_STEP + 5);
    const { store } = storeFailingFor(new Set(ids));
    const swept = await sweepExpiredResults({ db: database.db, files: store, sizer: sizer() });
    expect(swept.batches).toBe(0);
    const state = await stateOf(ids);
    const held = [...state.values()].filter((batch) => batch.held);
    // At most one step was tried (other tests' due batches may share it), and none was purged.
    expect(held.length).toBeGreaterThan(0);
    expect(held.length).toBeLessThanOrEqual(SWEEP_STEP);
    expect([...state.values()].every((batch) => !batch.purged && batch.records === 2)).toBe(true);
    const [due] = await database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(batches)
      .where(and(inArray(batches.id, ids), sql`${batches.sweptUntil} is null`));
    expect(Number(due!.n)).toBe(ids.length - held.length);
  });
});
