import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { exportJobs } from '../../db/schema';
import type { ExportJobStatus } from '../../jobs/exportJobStatus';
import { heldBy } from './heldBy';

/** Extends the runner's lease on a job; answers the job's status, or null when the lease is no longer ours. */
export async function renewLease(
  db: AppDatabase,
  jobId: number,
  runnerId: string,
  leaseMs: number,
): Promise<ExportJobStatus | null> {
  const [row] = await db
    .update(exportJobs)
    .set({ lockedUntil: sql`now() + ${leaseMs} * interval '1 millisecond'` })
    .where(heldBy(jobId, runnerId))
    .returning({ status: exportJobs.status });
  return row?.status ?? null;
}
