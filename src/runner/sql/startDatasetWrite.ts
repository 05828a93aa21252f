import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { exportJobs } from '../../db/schema';
import type { ExportJobStatus } from '../../jobs/exportJobStatus';
import { heldBy } from './heldBy';

/**
 * The profile export has read its last profile: record when, and start the
 * dataset write (the batches' files). The profiles read are now the exact
 * total, whatever the count beside the chunks saw (profiles ingested or removed
 * meanwhile) or whether it finished. A rerun keeps the first times and the
 * records written so far. Answers
 * the job's status (CANCELLING: stop instead), or null when the lease is gone.
 */
export async function startDatasetWrite(
  db: AppDatabase,
  jobId: number,
  runnerId: string,
  profilesRead: Date,
): Promise<ExportJobStatus | null> {
  const [row] = await db
    .update(exportJobs)
    .set({
      profileExportFinishedAt: sql`coalesce(${exportJobs.profileExportFinishedAt}, ${profilesRead.toISOString()}::timestamptz)`,
      datasetWriteStartedAt: sql`coalesce(${exportJobs.datasetWriteStartedAt}, now())`,
      totalProfiles: sql`${exportJobs.processedProfiles}`,
      // A rerun writes every file again, from zero: `progress.percent` holds at what the
      // last run reached (the phase's looks keep the greater count) until this one passes it.
      updateTime: sql`now()`,
    })
    .where(heldBy(jobId, runnerId))
    .returning({ status: exportJobs.status });
  return row?.status ?? null;
}
