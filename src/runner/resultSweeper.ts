/**
 * Retention of results: a batch's records and files are kept RESULT_TTL_DAYS
 * after its job succeeded (`batches.expires_at`, set as it succeeds). Every
 * RESULT_SWEEP_MS the runner's sweeper takes the batches that are due, a few at
 * a time:
 * 1. marks them EXPIRED and deletes their file rows, in one transaction (readers
 *    already treat a batch past `expires_at` as expired: `hasExpired`);
 * 2. removes their files and manifests from storage;
 * 3. deletes their records in short statements (`removeBatchRecords`);
 * 4. sets `purged_at`: nothing of the batch is left.
 * Step 1 also holds the batch for `SWEEP_LEASE_MS` (`swept_until`): other
 * sweepers, in this runner or another, leave it alone meanwhile rather than
 * remove the same files and records a second time. A crash between the steps
 * leaves the batch due (`purged_at` null), and once the lease has run out the
 * next sweep, here or in another runner, finishes it: every step can be done twice.
 * A batch whose files or records cannot be removed (the store refuses, a bucket
 * is down) is left the same way, and the sweep goes on with the others: one
 * such batch must not hold up every later one. A step where every batch fails
 * ends the round (the store is likely down); the next round tries again.
 * Each round also removes what runs that ended a job without a result left
 * (abandonedResults.ts).
 */
import { inArray, sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { startPeriodic, type PeriodicWork } from '../db/periodicWork';
import { batches, batchFiles } from '../db/schema';
import type { FileStore } from '../files/fileStore';
import { describeError, type Logger } from '../logger';
import type { ChunkSizer } from './chunkSizer';
import { removeAbandonedResults } from './abandonedResults';
import { removeBatchRecords } from './sql/removeBatchRecords';

/** Batches one step of the sweep takes at most. */
export const SWEEP_STEP = 20;
/**
 * How long a sweeper holds the batches of a step. Far longer than a step takes
 * (its records go in short statements), so only a sweeper that died gives
 * its batches up this way.
 */
export const SWEEP_LEASE_MS = 10 * 60 * 1000;

export interface SweptResults {
  batches: number;
  records: number;
  /** Batches left for a later sweep (once their lease has run out): removing their files or records failed. */
  failed: number;
}

export type ResultSweeper = PeriodicWork;

/** Sweeps now, then every `intervalMs`, until stopped. */
export function startResultSweeper(deps: {
  db: AppDatabase;
  files: FileStore;
  logger: Logger;
  intervalMs: number;
  /** Sizes the statements that delete records. */
  sizer: ChunkSizer;
  /**
   * After records were deleted: reclaims their space for the next exports. For
   * PGlite, which has no autovacuum: without it, `batch_records` would grow by
   * every export whatever expires.
   */
  afterRecordsRemoved?: () => Promise<void>;
}): ResultSweeper {
  return startPeriodic({
    intervalMs: deps.intervalMs,
    logger: deps.logger,
    failureMessage: 'Removing expired results failed',
    round: async (stopped) => {
      const swept = await sweepExpiredResults(deps, stopped);
      if (swept.batches > 0) deps.logger.info('Expired results removed', { ...swept });
      const abandoned = await removeAbandonedResults(deps, stopped);
      if (swept.records + abandoned > 0) await deps.afterRecordsRemoved?.();
    },
  });
}

/** Removes the results of every batch that is due, a step at a time; answers how much went. */
export async function sweepExpiredResults(
  deps: { db: AppDatabase; files: FileStore; sizer: ChunkSizer; logger?: Logger },
  stopped: () => boolean = () => false,
): Promise<SweptResults> {
  const { db, files, sizer, logger } = deps;
  const swept: SweptResults = { batches: 0, records: 0, failed: 0 };
  while (!stopped()) {
    const due = await expireDueBatches(db);
    const purged: string[] = [];
    for (const batch of due) {
      try {
        await files.removeBatch(batch.jobId, batch.id);
        swept.records += await removeBatchRecords(db, [batch.id], sizer);
        purged.push(batch.id);
      } catch (error: unknown) {
        swept.failed += 1;
        logger?.error('Removing an expired batch failed; a sweep after its lease tries again', {
          batchId: batch.id,
          jobId: batch.jobId,
          retryAfterMs: SWEEP_LEASE_MS,
          error: describeError(error),
        });
      }
    }
    if (purged.length > 0) await db.update(batches).set({ purgedAt: sql`now()` }).where(inArray(batches.id, purged));
    swept.batches += purged.length;
    if (due.length < SWEEP_STEP || purged.length === 0) break;
  }
  return swept;
}

/**
 * Step 1 for the next few batches that are due: EXPIRED, held for
 * `SWEEP_LEASE_MS`, and their file rows gone. Batches another sweeper holds
 * (in this step, or under its lease) are skipped.
 */
async function expireDueBatches(db: AppDatabase): Promise<{ id: string; jobId: number }[]> {
  return db.transaction(async (tx) => {
    const due = await tx.execute<{ id: string; job_id: number | string }>(sql`
      update batches set status = 'EXPIRED', swept_until = now() + ${SWEEP_LEASE_MS} * interval '1 millisecond'
      where id in (
        select id from batches
        where purged_at is null and expires_at <= now() and (swept_until is null or swept_until < now())
        order by expires_at
        limit ${SWEEP_STEP}
        for update skip locked)
      returning id, job_id`);
    const ids = due.map((row) => row.id);
    if (ids.length > 0) await tx.delete(batchFiles).where(inArray(batchFiles.batchId, ids));
    return due.map((row) => ({ id: row.id, jobId: Number(row.job_id) }));
  });
}
