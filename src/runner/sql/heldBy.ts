import { and, eq, type SQL } from 'drizzle-orm';
import { exportJobs } from '../../db/schema';

/** The job's row while this runner still holds it: every write of a run is fenced by its lease. */
export function heldBy(jobId: number, runnerId: string): SQL {
  return and(eq(exportJobs.id, jobId), eq(exportJobs.lockedBy, runnerId))!;
}
