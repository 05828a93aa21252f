/**
 * The writes of one run of a segment job, each fenced by the run's lease
 * (`locked_by`): a runner that lost the job writes nothing more.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { segmentJobs } from '../../db/schema';
import { statusIn } from '../../db/statuses';
import type { ExportJobErrorEntry } from '../../jobs/exportJobStatus';
import { SEGMENT_JOB_MOVES } from '../../jobs/jobTransitions';
import type { MembershipCounts } from '../../segments/evaluation/evaluateSegmentChunk';

function heldBy(jobId: string, runnerId: string): SQL {
  return and(eq(segmentJobs.id, jobId), eq(segmentJobs.lockedBy, runnerId))!;
}

type Counts = Pick<MembershipCounts, 'realized' | 'existing' | 'exited'>;

/**
 * Opens a run: the evaluation time T (`start_time`) is set by the first run and
 * kept by the next ones, so a resumed run evaluates again at the same T, and
 * the counts start again from zero as the evaluation does. Null when the lease
 * is no longer ours.
 */
export async function startSegmentJob(db: AppDatabase, jobId: string, runnerId: string): Promise<Date | null> {
  const [row] = await db
    .update(segmentJobs)
    .set({
      startTime: sql`coalesce(${segmentJobs.startTime}, now())`,
      realized: 0,
      existing: 0,
      exited: 0,
      updateTime: sql`now()`,
    })
    .where(heldBy(jobId, runnerId))
    .returning({ startTime: segmentJobs.startTime });
  return row?.startTime ?? null;
}

/** After each chunk: the counts so far, and the lease extended. False when the lease is no longer ours. */
export async function recordSegmentJobCounts(
  db: AppDatabase,
  jobId: string,
  runnerId: string,
  counts: Counts,
  leaseMs: number,
): Promise<boolean> {
  const rows = await db
    .update(segmentJobs)
    .set({ ...counts, lockedUntil: sql`now() + ${leaseMs} * interval '1 millisecond'`, updateTime: sql`now()` })
    .where(heldBy(jobId, runnerId))
    .returning({ id: segmentJobs.id });
  return rows.length > 0;
}

/** Extends the lease (the heartbeat, during a long chunk). False when it is no longer ours. */
export async function renewSegmentJobLease(db: AppDatabase, jobId: string, runnerId: string, leaseMs: number): Promise<boolean> {
  const rows = await db
    .update(segmentJobs)
    .set({ lockedUntil: sql`now() + ${leaseMs} * interval '1 millisecond'` })
    .where(heldBy(jobId, runnerId))
    .returning({ id: segmentJobs.id });
  return rows.length > 0;
}

/** Ends the job: SUCCEEDED with its counts, or FAILED with its errors. False when the lease is no longer ours. */
export async function endSegmentJob(
  db: AppDatabase,
  jobId: string,
  runnerId: string,
  end: { status: 'SUCCEEDED'; counts: Counts } | { status: 'FAILED'; errors: ExportJobErrorEntry[] },
): Promise<boolean> {
  const move = end.status === 'SUCCEEDED' ? SEGMENT_JOB_MOVES.succeed : SEGMENT_JOB_MOVES.fail;
  const rows = await db
    .update(segmentJobs)
    .set({
      ...(end.status === 'SUCCEEDED' ? end.counts : { errors: end.errors }),
      status: move.to,
      // A job that failed before it started has no start: its end alone says when.
      endTime: sql`now()`,
      updateTime: sql`now()`,
      lockedBy: null,
      lockedUntil: null,
    })
    .where(and(heldBy(jobId, runnerId), statusIn(segmentJobs.status, move.from)))
    .returning({ id: segmentJobs.id });
  return rows.length > 0;
}

/** Hands the job back at shutdown: any runner resumes it at once, and this run does not count as an attempt. */
export async function releaseSegmentJob(db: AppDatabase, jobId: string, runnerId: string): Promise<void> {
  await db
    .update(segmentJobs)
    .set({ lockedBy: null, lockedUntil: sql`now()`, attempts: sql`${segmentJobs.attempts} - 1` })
    .where(heldBy(jobId, runnerId));
}

/**
 * Hands the job back after a passing database error (handBackAfterError.ts): any runner
 * evaluates it again once `retryAfterMs` has passed; the run counts as an attempt.
 */
export async function handBackSegmentJobAfterError(db: AppDatabase, jobId: string, runnerId: string, retryAfterMs: number): Promise<void> {
  await db
    .update(segmentJobs)
    .set({ lockedBy: null, lockedUntil: sql`now() + ${retryAfterMs} * interval '1 millisecond'` })
    .where(heldBy(jobId, runnerId));
}
