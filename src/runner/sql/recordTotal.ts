import type { AppDatabase } from '../../db/database';
import { exportJobs } from '../../db/schema';
import { heldBy } from './heldBy';

/** Records how many profiles the job will export, once counted. */
export async function recordTotal(db: AppDatabase, jobId: number, runnerId: string, totalProfiles: number): Promise<void> {
  await db
    .update(exportJobs)
    .set({ totalProfiles })
    .where(heldBy(jobId, runnerId));
}
