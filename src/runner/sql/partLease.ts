/** A part's lease, as its runner renews it, hands it back, or gives it up. */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { exportJobParts } from '../../db/schema';

export interface PartKey {
  jobId: number;
  part: number;
}

/** The part's row while `runnerId` runs it. */
function heldPart(key: PartKey, runnerId: string): SQL {
  return and(
    eq(exportJobParts.jobId, key.jobId),
    eq(exportJobParts.part, key.part),
    eq(exportJobParts.lockedBy, runnerId),
    eq(exportJobParts.status, 'RUNNING'),
  )!;
}

/** Extends the lease; false when the part is no longer this runner's. */
export async function renewPartLease(db: AppDatabase, key: PartKey, runnerId: string, leaseMs: number): Promise<boolean> {
  const renewed = await db
    .update(exportJobParts)
    .set({ lockedUntil: sql`now() + ${leaseMs} * interval '1 millisecond'` })
    .where(heldPart(key, runnerId))
    .returning({ part: exportJobParts.part });
  return renewed.length > 0;
}

/** Hands the part back at shutdown: any runner resumes it at its checkpoint, and the run is not an attempt. */
export async function releasePart(db: AppDatabase, key: PartKey, runnerId: string): Promise<void> {
  await db
    .update(exportJobParts)
    .set({ status: 'PENDING', lockedBy: null, lockedUntil: null, attempts: sql`${exportJobParts.attempts} - 1` })
    .where(heldPart(key, runnerId));
}

/**
 * Hands the part back after a passing database error (handBackAfterError.ts): any runner
 * resumes it at its checkpoint once `retryAfterMs` has passed, as it would a part whose
 * lease expired (it stays RUNNING, held by nobody, until then). The run counts as an attempt.
 */
export async function handBackPartAfterError(db: AppDatabase, key: PartKey, runnerId: string, retryAfterMs: number): Promise<void> {
  await db
    .update(exportJobParts)
    .set({ lockedBy: null, lockedUntil: sql`now() + ${retryAfterMs} * interval '1 millisecond'` })
    .where(heldPart(key, runnerId));
}

/** The part failed for good: its job's coordinator fails the job. */
export async function failPart(db: AppDatabase, key: PartKey, runnerId: string, error: string): Promise<void> {
  await db
    .update(exportJobParts)
    .set({ status: 'FAILED', lockedBy: null, lockedUntil: null, error })
    .where(heldPart(key, runnerId));
}
