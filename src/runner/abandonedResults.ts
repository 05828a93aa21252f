/**
 * What a run that ended a job without a result could not remove: its batches are
 * ABORTED or FAILED, but the files and records it was removing are still there (it
 * died, or the store or the database refused it for a moment). Removed at every round
 * of the result sweeper, the first as its process starts: not by the runner before its
 * first claim, which would leave every job waiting while millions of records go.
 */
import type { AppDatabase } from '../db/database';
import type { FileStore } from '../files/fileStore';
import { describeError, type Logger } from '../logger';
import type { ChunkSizer } from './chunkSizer';
import { batchesWithAbandonedRecords, removeBatchRecords } from './sql/removeBatchRecords';

/** Answers how many records went (0 when it failed: the next round tries again); stops between statements once `stopped`. */
export async function removeAbandonedResults(
  deps: { db: AppDatabase; files: FileStore; sizer: ChunkSizer; logger: Logger },
  stopped: () => boolean = () => false,
): Promise<number> {
  const { db, files, sizer, logger } = deps;
  let abandoned: { id: string; jobId: number }[];
  try {
    abandoned = await batchesWithAbandonedRecords(db);
  } catch (error: unknown) {
    logger.error('Finding the records of ended batches failed', { error: describeError(error) });
    return 0;
  }
  let removed = 0;
  // One batch at a time: one whose store keeps refusing must not hold up the others.
  for (const batch of abandoned) {
    if (stopped()) break;
    try {
      // A run removes its job's files before its records: where records are left, files may be too.
      await files.removeBatch(batch.jobId, batch.id);
      removed += await removeBatchRecords(db, [batch.id], sizer, stopped);
    } catch (error: unknown) {
      logger.error('Removing the records of an ended batch failed', { batchId: batch.id, jobId: batch.jobId, error: describeError(error) });
    }
  }
  if (abandoned.length > 0) logger.info('Removed the records of ended batches', { batches: abandoned.length, records: removed });
  return removed;
}
