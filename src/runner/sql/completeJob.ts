import { and, eq, sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { batchFiles, batches, exportJobs, type ExportJobRow } from '../../db/schema';
import { statusIn } from '../../db/statuses';
import { EXPORT_JOB_MOVES } from '../../jobs/jobTransitions';
import { heldBy } from './heldBy';

export type NewBatchFile = typeof batchFiles.$inferInsert;

/**
 * PROCESSING → SUCCEEDED, its batches → SUCCESS (their results kept
 * `resultTtlDays` from now), and their files recorded, in one transaction: a
 * file is listed only once its job has succeeded. Guarded:
 * null (and nothing recorded) when the job is no longer this runner's or was
 * marked CANCELLING meanwhile. The dataset write ends now.
 */
export async function completeJob(
  db: AppDatabase,
  jobId: number,
  runnerId: string,
  files: NewBatchFile[],
  resultTtlDays: number,
): Promise<ExportJobRow | null> {
  return db.transaction(async (tx) => {
    const [done] = await tx
      .update(exportJobs)
      .set({
        status: EXPORT_JOB_MOVES.succeed.to,
        processedProfiles: sql`coalesce(${exportJobs.totalProfiles}, ${exportJobs.processedProfiles})`,
        profileExportFinishedAt: sql`coalesce(${exportJobs.profileExportFinishedAt}, now())`,
        datasetWriteFinishedAt: sql`now()`,
        // Every record is in a file now, whatever the last look of the write phase counted.
        writtenRecords: files.reduce((total, file) => total + file.records, 0),
        finishedAt: sql`now()`,
        lockedBy: null,
        lockedUntil: null,
        updateTime: sql`now()`,
      })
      .where(and(heldBy(jobId, runnerId), statusIn(exportJobs.status, EXPORT_JOB_MOVES.succeed.from)))
      .returning();
    if (!done) return null;
    await tx
      .update(batches)
      .set({ status: 'SUCCESS', expiresAt: sql`now() + ${resultTtlDays} * interval '1 day'` })
      .where(eq(batches.jobId, jobId));
    if (files.length > 0) await tx.insert(batchFiles).values(files);
    return done;
  });
}
