import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { exportJobs } from '../../db/schema';
import type { ExportJobStatus } from '../../jobs/exportJobStatus';
import { heldBy } from './heldBy';

/**
 * A look of the dataset write: the records its files hold so far. A rerun writes
 * every file again from zero, so the greater count is kept and `progress.percent`
 * never goes back. Answers the job's status (a client's cancel shows as
 * CANCELLING), or null when the lease is no longer ours.
 */
export async function recordWrittenRecords(
  db: AppDatabase,
  jobId: number,
  runnerId: string,
  written: number,
): Promise<ExportJobStatus | null> {
  const [row] = await db
    .update(exportJobs)
    .set({ writtenRecords: sql`greatest(${exportJobs.writtenRecords}, ${written})` })
    .where(heldBy(jobId, runnerId))
    .returning({ status: exportJobs.status });
  return row?.status ?? null;
}
