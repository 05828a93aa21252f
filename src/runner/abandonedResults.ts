/**
 * What a run that ended a job without a result could not remove: its batches are
 * ABORTED or FAILED, but the files and records it was removing are still there (it
 * died, or the store or the database refused it for a moment). Removed when a runner
 * starts and again at every round of the result sweeper, so a long-lived process
 * does not keep them until its next restart.
 */
import type { AppDatabase } from '../db/database';
import type { FileStore } from '../files/fileStore';
import { describeError, type Logger } from '../logger';
import type { ChunkSizer } from './chunkSizer';
import { batchesWithAbandonedRecords, removeBatchRecords } from './sql/removeBatchRecords';

/** Answers how many records went (0 when it failed: the next round tries again). */
export async function removeAbandonedResults(deps: { db: AppDatabase; files: FileStore; sizer: ChunkSizer; logger: Logger }): Promise<number> {
  const { db, files, sizer, logger } = deps;
  try {
    const abandoned = await batchesWithAbandonedRecords(db);
    if (abandoned.length === 0) return 0;
    // A run removes its job's files before its records: where records are left, files may be too.
    for (const batch of abandoned) await files.removeBatch(batch.jobId, batch.id);
    const batchIds = abandoned.map((batch) => batch.id);
    const removed = await removeBatchRecords(db, batchIds, sizer);
    logger.info('Removed the records of ended batches', { batches: batchIds.length, records: removed });
    return removed;
  } catch (error: unknown) {
    logger.error('Removing the records of ended batches failed', { error: describeError(error) });
    return 0;
  }
}
