/**
 * One evaluation of a segment at a time. Two at once — an export's segmentation
 * phase and a segment job, or two jobs — would interleave their chunks, each
 * moving memberships by its own evaluation time, and leave a mix of both. So an
 * evaluation first takes the segment's lease (`segment_definitions.evaluating_by`
 * and `evaluating_until`), renews it with every chunk, and gives it back at the
 * end; a second one waits. A lease whose holder died expires after the runner's
 * lease time; a later run of the same job takes its job's lease over at once.
 *
 * The lease is held by one run of the job (`<job>@<run>`), not by the job: a run that
 * stalled past its job's lease, and whose job another run took over, must neither
 * renew the lease (it would go on evaluating beside the new run) nor give it back at
 * its end (another evaluation could then start beside the new run).
 */
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { segmentDefinitions } from '../../db/schema';
import { ofTenant } from '../../db/tenantScope';
import type { Tenant } from '../../tenant';

export interface EvaluationLease {
  tenant: Tenant;
  segmentId: string;
  /** The evaluating job, e.g. `export-job:42` or `segment-job:<uuid>`: the same for each of its runs. */
  job: string;
  /** This run of it: the runner's claim of the job (`RunEnvironment.runnerId`). */
  run: string;
  leaseMs: number;
}

/** What `evaluating_by` holds for `lease`: its job, then its run. */
function holderOf(lease: EvaluationLease): string {
  return `${lease.job}@${lease.run}`;
}

/** How often a waiting evaluation asks again. */
const WAIT_POLL_MS = 100;

/** Takes the lease if it is free, expired or held by a run of the same job; true when taken. */
export async function takeEvaluationLease(db: AppDatabase, lease: EvaluationLease): Promise<boolean> {
  const rows = await db
    .update(segmentDefinitions)
    .set({ evaluatingBy: holderOf(lease), evaluatingUntil: until(lease) })
    .where(
      and(
        ofTenant(segmentDefinitions, lease.tenant),
        eq(segmentDefinitions.id, lease.segmentId),
        or(
          isNull(segmentDefinitions.evaluatingBy),
          sql`starts_with(${segmentDefinitions.evaluatingBy}, ${`${lease.job}@`})`,
          lt(segmentDefinitions.evaluatingUntil, sql`now()`),
        ),
      ),
    )
    .returning({ id: segmentDefinitions.id });
  return rows.length > 0;
}

/**
 * Waits until the lease is taken (true), or until `interrupted` says to stop
 * waiting (false): asked before each try, e.g. a runner that stops, a job cancelled
 * meanwhile, or one another run has taken over — which must not then take the lease
 * back from that run, as a run of the same job may.
 */
export async function waitForEvaluationLease(
  db: AppDatabase,
  lease: EvaluationLease,
  interrupted: () => boolean | Promise<boolean>,
): Promise<boolean> {
  for (;;) {
    if (await interrupted()) return false;
    if (await takeEvaluationLease(db, lease)) return true;
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
  }
}

/** Extends the run's lease (after each chunk); false when it is no longer this run's. */
export async function renewEvaluationLease(db: AppDatabase, lease: EvaluationLease): Promise<boolean> {
  const rows = await db
    .update(segmentDefinitions)
    .set({ evaluatingUntil: until(lease) })
    .where(held(lease))
    .returning({ id: segmentDefinitions.id });
  return rows.length > 0;
}

/** Gives the lease back, if still this run's. */
export async function releaseEvaluationLease(db: AppDatabase, lease: EvaluationLease): Promise<void> {
  await db.update(segmentDefinitions).set({ evaluatingBy: null, evaluatingUntil: null }).where(held(lease));
}

function held(lease: EvaluationLease) {
  return and(
    ofTenant(segmentDefinitions, lease.tenant),
    eq(segmentDefinitions.id, lease.segmentId),
    eq(segmentDefinitions.evaluatingBy, holderOf(lease)),
  );
}

function until(lease: EvaluationLease) {
  return sql`now() + ${lease.leaseMs} * interval '1 millisecond'`;
}
