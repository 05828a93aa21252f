import { and, eq, sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { batchFiles, batches, exportJobs, type ExportJobRow } from '../../db/schema';
import { statusIn } from '../../db/statuses';
import { EXPORT_JOB_MOVES } from '../../jobs/jobTransitions';
import { heldBy } from './heldBy';

export type NewBatchFile = typeof batchFiles.$inferInsert;

/**
 * A statement carries at most 65,535 parameters (PGlite writes the count in 16 bits,
 * postgres.js refuses more), and a file row takes 13: a job of more than about 5,000
 * files (`maxRecordsPerFile: 1`, or a million records a file over 5 billion records)
 * is recorded in several statements of the one transaction.
 */
const FILE_ROWS_A_STATEMENT = 1_000;

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
    for (let start = 0; start < files.length; start += FILE_ROWS_A_STATEMENT) {
      await tx.insert(batchFiles).values(files.slice(start, start + FILE_ROWS_A_STATEMENT));
    }
    return done;
  });
}
