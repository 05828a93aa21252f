import { and, eq, sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { batches, exportJobs, type ExportJobRow } from '../../db/schema';
import { heldBy } from './heldBy';

/**
 * PROCESSING → SUCCEEDED, its batches → SUCCESS. Guarded: null when the job
 * is no longer this runner's or was marked CANCELLING meanwhile. The profile
 * export ended when the last chunk was read (`profilesRead`); the dataset write
 * ends now, with the batches.
 */
export async function completeJob(
  db: AppDatabase,
  jobId: number,
  runnerId: string,
  profilesRead: Date,
): Promise<ExportJobRow | null> {
  return db.transaction(async (tx) => {
    const [done] = await tx
      .update(exportJobs)
      .set({
        status: 'SUCCEEDED',
        processedProfiles: sql`coalesce(${exportJobs.totalProfiles}, ${exportJobs.processedProfiles})`,
        profileExportFinishedAt: profilesRead,
        datasetWriteFinishedAt: sql`now()`,
        finishedAt: sql`now()`,
        lockedBy: null,
        lockedUntil: null,
        updateTime: sql`now()`,
      })
      .where(and(heldBy(jobId, runnerId), eq(exportJobs.status, 'PROCESSING')))
      .returning();
    if (done) await tx.update(batches).set({ status: 'SUCCESS' }).where(eq(batches.jobId, jobId));
    return done ?? null;
  });
}
