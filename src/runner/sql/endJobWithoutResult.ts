import { and, eq, sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { batches, exportJobParts, exportJobs, type ExportJobRow } from '../../db/schema';
import { statusIn } from '../../db/statuses';
import type { ExportJobErrorEntry } from '../../jobs/exportJobStatus';
import { EXPORT_JOB_MOVES } from '../../jobs/jobTransitions';
import { heldBy } from './heldBy';

/**
 * Ends a job that will export nothing: CANCELLED (its batches ABORTED) or
 * FAILED with its errors (batches FAILED). A job a client is cancelling ends
 * CANCELLED even when an error stopped it first, as the client was told it would
 * (`EXPORT_JOB_MOVES`: only PROCESSING fails). The counters of exported profiles go
 * back to zero, times are recorded and a sharded job's parts end; the batches'
 * partial records are left for `removeBatchRecords`, in steps (readers see none
 * of them already).
 */
export async function endJobWithoutResult(
  db: AppDatabase,
  jobId: number,
  runnerId: string,
  outcome: { status: 'CANCELLED' } | { status: 'FAILED'; errors: ExportJobErrorEntry[] },
): Promise<{ job: ExportJobRow; batchIds: string[] } | null> {
  const { fail, cancel } = EXPORT_JOB_MOVES;
  const failing = statusIn(exportJobs.status, fail.from);
  return db.transaction(async (tx) => {
    const [ended] = await tx
      .update(exportJobs)
      .set({
        status: outcome.status === 'FAILED' ? sql`case when ${failing} then ${fail.to} else ${cancel.to} end` : cancel.to,
        errors:
          outcome.status === 'FAILED'
            ? sql`case when ${failing} then ${JSON.stringify(outcome.errors)}::jsonb else ${exportJobs.errors} end`
            : sql`${exportJobs.errors}`,
        exportedProfiles: 0,
        exportedProfilesByNamespace: {},
        // A phase that has ended keeps its end (the export's ends with its last profile read,
        // not with a cancel during the write); one that was running ends now. Except the
        // segmentation's: its end moves progress.percent to the export's 50 (the API shows
        // the job's end for an evaluation it stopped).
        profileExportFinishedAt: sql`coalesce(${exportJobs.profileExportFinishedAt}, case when ${exportJobs.profileExportStartedAt} is not null then now() end)`,
        datasetWriteFinishedAt: sql`coalesce(${exportJobs.datasetWriteFinishedAt}, case when ${exportJobs.datasetWriteStartedAt} is not null then now() end)`,
        finishedAt: sql`now()`,
        lockedBy: null,
        lockedUntil: null,
        updateTime: sql`now()`,
      })
      .where(and(heldBy(jobId, runnerId), statusIn(exportJobs.status, cancel.from)))
      .returning();
    if (!ended) return null;
    // A sharded job's parts end with it. This waits for any part's chunk in flight (it
    // holds its part's row), so no chunk writes records after the job's are removed.
    await tx
      .update(exportJobParts)
      .set({ status: 'ENDED', lockedBy: null, lockedUntil: null })
      .where(eq(exportJobParts.jobId, jobId));
    const abandoned = await tx
      .update(batches)
      .set({ status: ended.status === 'CANCELLED' ? 'ABORTED' : 'FAILED', recordCount: 0 })
      .where(eq(batches.jobId, jobId))
      .returning({ id: batches.id });
    return { job: ended, batchIds: abandoned.map((batch) => batch.id) };
  });
}
