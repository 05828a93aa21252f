/**
 * Splits a big export into parts (shardedExport.ts): key ranges of the profile id with
 * about as many candidates each, found from a sample of the table the candidates come
 * from — never by counting them.
 */
import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { samplePercent } from '../../db/samplePercent';
import { exportJobParts } from '../../db/schema';
import type { ExportPlan } from '../exportPlan';
import { membershipQualifies } from './exportConditions';

// More parts balance the runners better at the end of a job, but each costs a claim.
const MOST_PARTS = 16;
// An export with at most this many candidate rows is too small to split, whatever the
// threshold: reading that many index entries costs less than the sample's 1,000 pages
// (~30 ms a job on PGlite with 100,000 profiles), and most exports are that small.
const SMALL_EXPORT_ROWS = 20_000;

/** The candidates the sample counts, and the ranges' ends: each a profile id (sorted, distinct). */
export interface ExportSample {
  estimatedCandidates: number;
  boundaries: string[];
}

/**
 * Estimates the export's candidates from a block sample and, when there are more than
 * `minProfiles`, the ends of `ceil(candidates / minProfiles)` ranges (2 to 16) of about
 * as many each. An empty `boundaries` means: too small to split.
 */
export async function sampleExport(db: AppDatabase, plan: ExportPlan, minProfiles: number): Promise<ExportSample> {
  const small = await candidateRowsUpTo(db, plan, Math.min(minProfiles, SMALL_EXPORT_ROWS));
  if (small !== null) return { estimatedCandidates: small, boundaries: [] };
  const table = plan.segments === null ? 'profiles' : 'segment_memberships';
  // About SAMPLE_PAGES pages (db/samplePercent.ts): enough for ranges within a few per cent of each other.
  const percent = await samplePercent(db, table);
  const sample =
    plan.segments === null
      ? sql`select p.profile_id from profiles p tablesample system (${percent})
            where p.org_id = ${plan.orgId} and p.sandbox_name = ${plan.sandboxName}`
      : sql`select distinct m.profile_id from segment_memberships m tablesample system (${percent})
            where ${sql.join(plan.segments.map((segment) => sql`(${membershipQualifies(plan, segment)})`), sql` or `)}`;
  const [row] = await db.execute<{ sampled: number | string; boundaries: string[] | null }>(sql`
    with sample as materialized (${sample}),
    sized as (
      select count(*) as sampled,
             least(${MOST_PARTS}, greatest(1, ceil(count(*) * 100.0 / ${percent} / ${minProfiles})))::int as parts
      from sample
    )
    select sampled,
           case when parts > 1 then (
             select percentile_disc(array(select g::float8 / parts from generate_series(1, parts - 1) g))
               within group (order by profile_id)
             from sample
           ) end as boundaries
    from sized`);
  const estimatedCandidates = Math.round((Number(row?.sampled ?? 0) * 100) / percent);
  if (estimatedCandidates <= minProfiles) return { estimatedCandidates, boundaries: [] };
  // In the database's order already (percentiles of increasing fractions), which a sort
  // here could break: JavaScript compares code units, the database its collation.
  const boundaries = (row?.boundaries ?? []).filter((id, i, all) => id !== null && id !== all[i - 1]);
  return { estimatedCandidates, boundaries };
}

/**
 * The export's candidate rows when there are at most `most`; null when there are more.
 * The rows are the tenant's profiles, or the memberships of the filter's segments in
 * any status, namespace or time: at least as many as the candidates, and read from an
 * index prefix alone, so never more than `most + 1` of them (a status or a time window
 * would be a filter over every membership of the segment).
 */
async function candidateRowsUpTo(db: AppDatabase, plan: ExportPlan, most: number): Promise<number | null> {
  const segmentIds = plan.segments?.map((segment) => sql`${segment.segmentId}`) ?? [];
  const rows =
    plan.segments === null
      ? sql`select 1 from profiles p where p.org_id = ${plan.orgId} and p.sandbox_name = ${plan.sandboxName} limit ${most + 1}`
      : sql`select 1 from segment_memberships m
            where m.org_id = ${plan.orgId} and m.sandbox_name = ${plan.sandboxName} and m.segment_id in (${sql.join(segmentIds, sql`, `)})
            limit ${most + 1}`;
  const [row] = await db.execute<{ rows: number | string }>(sql`select count(*) as rows from (${rows}) candidates`);
  const found = Number(row?.rows ?? 0);
  return found <= most ? found : null;
}

/**
 * Records the parts of the ranges `boundaries` cut: (start, b1], (b1, b2], …, (bn, end].
 * Only while `runnerId` holds the job and no chunk of it has run unsharded (no
 * checkpoint): answers how many parts the job has now (0: it runs unsharded).
 */
export async function recordParts(db: AppDatabase, plan: ExportPlan, runnerId: string, boundaries: string[]): Promise<number> {
  if (boundaries.length === 0) return 0;
  const ends = [null, ...boundaries, null];
  const parts = boundaries.length + 1;
  return db.transaction(async (tx) => {
    const [job] = await tx.execute<{ id: string }>(sql`
      select id from export_jobs
      where id = ${plan.jobId} and locked_by = ${runnerId} and checkpoint_profile_id is null
      for update`);
    if (!job) return 0;
    await tx
      .insert(exportJobParts)
      .values(
        Array.from({ length: parts }, (_, i) => ({
          jobId: plan.jobId,
          part: i + 1,
          orgId: plan.orgId,
          sandboxName: plan.sandboxName,
          afterProfileId: ends[i] ?? null,
          upToProfileId: ends[i + 1] ?? null,
        })),
      )
      .onConflictDoNothing();
    return parts;
  });
}

/** How many parts the job was split into (0: not sharded). */
export async function partCount(db: AppDatabase, jobId: number): Promise<number> {
  const [row] = await db.execute<{ parts: number | string }>(
    sql`select count(*) as parts from export_job_parts where job_id = ${jobId}`,
  );
  return Number(row?.parts ?? 0);
}
