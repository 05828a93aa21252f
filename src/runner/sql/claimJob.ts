import { eq, sql, type SQL } from 'drizzle-orm';
import type { AppDatabase, AppTransaction } from '../../db/database';
import { exportJobs, segmentJobs, type ExportJobRow, type SegmentJobRow } from '../../db/schema';
import { statusIn, statusLiteral } from '../../db/statuses';
import { EXPORT_JOB_HELD, EXPORT_JOB_MOVES, SEGMENT_JOB_HELD, SEGMENT_JOB_MOVES } from '../../jobs/jobTransitions';
import { partToClaim, takePart, type ClaimedPart } from './claimPart';
import type { PartKey } from './partLease';
import { belowTenantLimit, CLAIM_LOCK_KEY } from './tenantLimit';

/** What a runner took: an export job, a part of a sharded export job, or a segment job (`evaluateSegments`). */
export type ClaimedJob =
  /** `wasNew`: its first claim (it waited in the queue), not a resume after a lost lease or a hand-back. */
  | { kind: 'export'; job: ExportJobRow; wasNew: boolean }
  | ({ kind: 'part' } & ClaimedPart)
  | { kind: 'segment'; job: SegmentJobRow };

export interface ClaimOptions {
  runnerId: string;
  leaseMs: number;
  tenantLimit: number;
}

/**
 * Takes the oldest job that wants work, export or segment job alike — NEW, or
 * PROCESSING (CANCELLING) whose lease expired: its runner died — or a part of a
 * sharded export (as old as its job) that no runner holds, of a tenant running
 * fewer than `tenantLimit` jobs and parts, under a lease for `runnerId`. Null when there is none.
 */
export async function claimNext(db: AppDatabase, options: ClaimOptions): Promise<ClaimedJob | null> {
  if (!(await anyJobMayWantWork(db))) return null;
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${CLAIM_LOCK_KEY})`);
    // A job or part whose expired lease's last chunk still holds its row is passed over (its
    // row is locked with SKIP LOCKED), and the next oldest looked at: waiting for the row, under
    // the claim lock, would hold up every other claim, of every tenant, until that chunk ends.
    const passedOver: PassedOver = { parts: [], exports: [], segments: [] };
    for (;;) {
      const claimed = await claimOldest(tx, options, passedOver);
      if (claimed !== 'passed over') return claimed;
      const { parts, exports, segments } = passedOver;
      if (parts.length + exports.length + segments.length >= MAX_PASSED_OVER) return null;
    }
  });
}

/** Jobs and parts passed over in one claim, at most: each costs the claim a statement more. */
const MAX_PASSED_OVER = 8;

/** What a claim passed over, each kind by its key: a chunk in flight held its row. */
interface PassedOver {
  parts: PartKey[];
  exports: number[];
  segments: string[];
}

/**
 * Claims the oldest job or part that wants work, but those of `passedOver`; 'passed over'
 * (and it added to `passedOver`) when a chunk in flight holds its row.
 */
async function claimOldest(tx: AppTransaction, options: ClaimOptions, passedOver: PassedOver): Promise<ClaimedJob | 'passed over' | null> {
  const { parts, exports, segments } = passedOver;
  const partNotPassedOver =
    parts.length === 0
      ? sql``
      : sql` and (p.job_id, p.part) not in (${sql.join(parts.map(({ jobId, part }) => sql`(${jobId}::bigint, ${part}::int)`), sql`, `)})`;
  const exportNotPassedOver = exports.length === 0 ? sql`` : sql` and j.id not in (${sql.join(exports.map((id) => sql`${id}::bigint`), sql`, `)})`;
  const segmentNotPassedOver = segments.length === 0 ? sql`` : sql` and s.id not in (${sql.join(segments.map((id) => sql`${id}`), sql`, `)})`;
  const [oldest] = await tx.execute<{ kind: ClaimedJob['kind']; id: string }>(sql`
    select kind, id from (
      (select 'export' as kind, j.id::text as id, j.creation_time from export_jobs j
       where ${exportWantsWork(sql`j`)} and ${belowTenantLimit(sql`j`, options.tenantLimit, { countingItself: false })}${exportNotPassedOver}
       order by j.creation_time, j.id limit 1)
      union all
      (select 'part' as kind, p.job_id::text || ':' || p.part as id, j.creation_time
       from export_job_parts p join export_jobs j on j.id = p.job_id
       where ${partToClaim(sql`p`, sql`j`)} and ${belowTenantLimit(sql`j`, options.tenantLimit)}${partNotPassedOver}
       order by j.creation_time, p.job_id, p.part limit 1)
      union all
      (select 'segment' as kind, s.id, s.creation_time from segment_jobs s
       where ${segmentWantsWork(sql`s`)} and ${belowTenantLimit(sql`s`, options.tenantLimit)}${segmentNotPassedOver}
       order by s.creation_time, s.id limit 1)
    ) oldest
    order by creation_time
    limit 1`);
  if (!oldest) return null;
  if (oldest.kind === 'part') {
    const [jobId, part] = oldest.id.split(':').map(Number) as [number, number];
    const claimed = await takePart(tx, jobId, part, options);
    if (claimed) return { kind: 'part', ...claimed };
    parts.push({ jobId, part });
    return 'passed over';
  }
  const lease = sql`now() + ${options.leaseMs} * interval '1 millisecond'`;
  if (oldest.kind === 'segment') {
    const [free] = await tx.execute(sql`select 1 from segment_jobs where id = ${oldest.id} for update skip locked`);
    if (!free) {
      segments.push(oldest.id);
      return 'passed over';
    }
    // The WHERE is checked again on the row as it is now, as for export jobs.
    const [claimed] = await tx
      .update(segmentJobs)
      .set({
        // Claimed when NEW, resumed when PROCESSING (segmentWantsWork): either way it runs now.
        status: SEGMENT_JOB_MOVES.claim.to,
        lockedBy: options.runnerId,
        lockedUntil: lease,
        attempts: sql`${segmentJobs.attempts} + 1`,
        updateTime: sql`now()`,
      })
      .where(sql`${eq(segmentJobs.id, oldest.id)} and ${segmentWantsWork(sql`${segmentJobs}`)}`)
      .returning();
    return claimed ? { kind: 'segment', job: claimed } : null;
  }
  const [free] = await tx.execute<{ status: string }>(sql`select status from export_jobs where id = ${Number(oldest.id)} for update skip locked`);
  if (!free) {
    exports.push(Number(oldest.id));
    return 'passed over';
  }
  // A client's cancel may have ended a NEW job since the SELECT: the WHERE is checked again on the row as it is now.
  const [claimed] = await tx
    .update(exportJobs)
    .set({
      status: sql`case when ${statusIn(exportJobs.status, EXPORT_JOB_MOVES.claim.from)} then ${statusLiteral(EXPORT_JOB_MOVES.claim.to)} else ${exportJobs.status} end`,
      lockedBy: options.runnerId,
      lockedUntil: lease,
      attempts: sql`${exportJobs.attempts} + 1`,
      updateTime: sql`now()`,
    })
    .where(sql`${eq(exportJobs.id, Number(oldest.id))} and ${exportWantsWork(sql`${exportJobs}`)}`)
    .returning();
  return claimed ? { kind: 'export', job: claimed, wasNew: free.status === 'NEW' } : null;
}

/**
 * Whether any job is in a status the claim takes or resumes (parts: their job is
 * PROCESSING): a superset of what `claimNext` may take, read from the queues'
 * partial indexes. An idle runner polls four times a second, and on PGlite,
 * which plans every statement, the claim's transaction took ~8 ms of CPU each
 * time with no job left; this one statement skips it while every job is finished.
 */
async function anyJobMayWantWork(db: AppDatabase): Promise<boolean> {
  const [row] = await db.execute<{ wanted: boolean }>(sql`
    select exists (select 1 from export_jobs j where ${statusIn(sql`j.status`, [...EXPORT_JOB_MOVES.claim.from, ...EXPORT_JOB_HELD])})
        or exists (select 1 from segment_jobs s where ${statusIn(sql`s.status`, [...SEGMENT_JOB_MOVES.claim.from, ...SEGMENT_JOB_HELD])})
      as wanted`);
  return row?.wanted === true;
}

/**
 * An export job to claim: NEW, or PROCESSING/CANCELLING whose runner's lease expired,
 * or CANCELLING with no runner at all: a job handed back after a passing database
 * error waits `attempts` seconds to resume (handBackAfterError.ts), but its cancel must
 * not wait with it — the run that claims it ends it at once.
 */
function exportWantsWork(job: SQL): SQL {
  const cancelledMeanwhile = sql`(${statusIn(sql`${job}.status`, ['CANCELLING'])} and ${job}.locked_by is null)`;
  return sql`(${wantsWork(job, EXPORT_JOB_MOVES.claim.from, EXPORT_JOB_HELD)} or ${cancelledMeanwhile})`;
}

/** A segment job to claim: NEW, or PROCESSING whose runner's lease expired. */
function segmentWantsWork(job: SQL): SQL {
  return wantsWork(job, SEGMENT_JOB_MOVES.claim.from, SEGMENT_JOB_HELD);
}

/** A job in a status the claim moves from, or held by a runner whose lease expired (resumed as it is). */
function wantsWork(job: SQL, claimable: readonly string[], held: readonly string[]): SQL {
  const status = sql`${job}.status`;
  return sql`(${statusIn(status, claimable)} or (${statusIn(status, held)} and coalesce(${job}.locked_until < now(), true)))`;
}
