import { and, eq } from 'drizzle-orm';
import type { AppDatabase } from '../../db/createDb';
import { exportJobs } from '../../db/schema';

/** Records how many profiles the job will export, once counted. */
export async function recordTotal(db: AppDatabase, jobId: number, runnerId: string, totalProfiles: number): Promise<void> {
  await db
    .update(exportJobs)
    .set({ totalProfiles })
    .where(and(eq(exportJobs.id, jobId), eq(exportJobs.lockedBy, runnerId)));
}
