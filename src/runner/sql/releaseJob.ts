import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { exportJobs } from '../../db/schema';
import { heldBy } from './heldBy';

/**
 * Hands a job back at shutdown: its lease ends now, so any runner resumes it
 * from its checkpoint at once, and the interrupted run does not count as an attempt.
 */
export async function releaseJob(db: AppDatabase, jobId: number, runnerId: string): Promise<void> {
  await db
    .update(exportJobs)
    .set({ lockedBy: null, lockedUntil: sql`now()`, attempts: sql`${exportJobs.attempts} - 1` })
    .where(heldBy(jobId, runnerId));
}

/**
 * Hands a job back after a passing database error (handBackAfterError.ts): any runner
 * resumes it from its checkpoint once `retryAfterMs` has passed. The run counts as an
 * attempt, so errors that keep coming end it with EXPORT_ATTEMPTS_EXHAUSTED.
 */
export async function handBackJobAfterError(db: AppDatabase, jobId: number, runnerId: string, retryAfterMs: number): Promise<void> {
  await db
    .update(exportJobs)
    .set({ lockedBy: null, lockedUntil: sql`now() + ${retryAfterMs} * interval '1 millisecond'` })
    .where(heldBy(jobId, runnerId));
}
