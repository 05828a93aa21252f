/**
 * One chunk of an export, as one SQL statement: take the next profiles after
 * the checkpoint (keyset on profile_id), project them into records of their
 * batches, and in the same statement advance the job's checkpoint and
 * counters. A crash either keeps all of a chunk or none of it, so a new run
 * resumes at the checkpoint and writes every record exactly once.
 */
import { sql, type SQL } from 'drizzle-orm';
import { executionTimeOf } from '../../db/executionTime';
import type { AppDatabase } from '../../db/database';
import type { ExportJobStatus } from '../../jobs/exportJobStatus';
import type { ExportPlan } from '../exportPlan';
import { chunkSource } from './chunkSource';
import { pathLiteral, projectedLeaves, projectionSql, type ValueAt } from './projectionSql';

export interface ChunkOutcome {
  /** Candidate profiles the chunk read. */
  scanned: number;
  /** How long the statement ran (not counting a wait for its turn). */
  elapsedMs: number;
  /** No candidate is left after this chunk: the export has read everything. */
  reachedEnd: boolean;
  /** The job's status after the chunk, or null when this runner no longer holds the job. */
  status: ExportJobStatus | null;
  processedProfiles: number;
  /** Where the next chunk starts. */
  checkpoint: string | null;
}

export interface ChunkRun {
  runnerId: string;
  leaseMs: number;
  chunkSize: number;
  /** The checkpoint: the chunk starts after this profile id. */
  after: string | null;
  /**
   * Set for a chunk of a part of a sharded export (shardedExport.ts): it reads up to the
   * part's end and moves the part's checkpoint and counters instead of the job's, so parts
   * never wait for each other on the job's row. The job's status is still answered.
   */
  part?: { part: number; upTo: string | null };
}

export async function exportChunk(db: AppDatabase, plan: ExportPlan, run: ChunkRun): Promise<ChunkOutcome> {
  const startedAt = performance.now();
  const result = await db.execute<{
    scanned: number | string;
    reached_end: boolean | null;
    status: ExportJobStatus | null;
    processed: number | null;
    checkpoint: string | null;
  }>(run.part ? partChunkSql(plan, run, run.part) : exportChunkSql(plan, run));
  const [row] = result;
  return {
    elapsedMs: executionTimeOf(result, performance.now() - startedAt),
    scanned: Number(row?.scanned ?? 0),
    reachedEnd: row?.reached_end ?? true,
    status: row?.status ?? null,
    processedProfiles: Number(row?.processed ?? 0),
    checkpoint: row?.checkpoint ?? null,
  };
}

/** The statement of one chunk: filter, projection and write. */
function exportChunkSql(plan: ExportPlan, run: ChunkRun): SQL {
  return sql`
      -- Fence: the job row, locked, only while this runner holds the lease. A runner
      -- whose lease another took meanwhile waits for that claim, then finds nothing
      -- here and writes nothing at all.
      with fence as (
        select id from export_jobs where id = ${plan.jobId} and locked_by = ${run.runnerId} for update
      ),
      ${chunkWrites(plan, run)},
      batch_counts as (
        update batches b set record_count = b.record_count + m.n
        from batch_records_added m
        where b.id = m.batch_id and m.n > 0 and exists (select 1 from fence)
        returning b.id
      ),
      job as (
        update export_jobs j set
          ${chunkCounters(sql.raw('j'))},
          locked_until = now() + ${run.leaseMs} * interval '1 millisecond',
          update_time = now()
        where j.id in (select id from fence)
        returning j.status, j.processed_profiles
      )
      select (select count(*) from chunk_ids) as scanned,
             (select reached from slice_end) as reached_end,
             (select status from job) as status,
             (select processed_profiles from job) as processed,
             coalesce((select max(profile_id) from chunk_ids), ${run.after}) as checkpoint`;
}

/**
 * The statement of one chunk of a part: as `exportChunkSql`, fenced on the part's row
 * instead of the job's. Its last chunk marks the part DONE and lets it go. Batches'
 * record counts are the coordinator's to set from the parts (partsProgress.ts): a
 * chunk that updated the batch row would wait for every other part's chunk.
 */
function partChunkSql(plan: ExportPlan, run: ChunkRun, part: { part: number }): SQL {
  const reached = sql`(select reached from slice_end)`;
  return sql`
      -- Fence: the part's row, locked, only while this runner holds it and it runs. Ending
      -- the job ends its parts (endJobWithoutResult), which waits for this lock: a chunk
      -- that starts after that writes nothing.
      with fence as (
        select job_id from export_job_parts
        where job_id = ${plan.jobId} and part = ${part.part} and locked_by = ${run.runnerId} and status = 'RUNNING'
        for update
      ),
      ${chunkWrites(plan, run)},
      part_row as (
        update export_job_parts t set
          ${chunkCounters(sql.raw('t'))},
          records_by_batch = ${addedCounts(sql`t.records_by_batch`, sql`select batch_id, n from batch_records_added`)},
          status = case when ${reached} then 'DONE' else t.status end,
          locked_by = case when ${reached} then null else t.locked_by end,
          locked_until = case when ${reached} then null else now() + ${run.leaseMs} * interval '1 millisecond' end
        where t.job_id = ${plan.jobId} and t.part = ${part.part} and exists (select 1 from fence)
        returning t.processed_profiles
      )
      select (select count(*) from chunk_ids) as scanned,
             ${reached} as reached_end,
             (select status from export_jobs where id = ${plan.jobId} and exists (select 1 from part_row)) as status,
             (select processed_profiles from part_row) as processed,
             coalesce((select max(profile_id) from chunk_ids), ${run.after}) as checkpoint`;
}

/**
 * The CTEs every chunk shares after its `fence`: the chunk's profiles (`chunkSource`),
 * their records written (`written`, only when the fence holds a row), and what the chunk
 * adds to the counters: `batch_records_added` (batch_id, n) and `namespaces` (namespace, n).
 */
function chunkWrites(plan: ExportPlan, run: ChunkRun): SQL {
  const leaves = leafColumns(plan.paths);
  const slice = { after: run.after, upTo: run.part?.upTo ?? null, limit: run.chunkSize, documents: true, columns: leaves.columns };
  return sql`${chunkSource(plan, slice)},${
        plan.targets.length > 1 ? sql`
      matches as (${batchMatches(plan)}),` : sql``
      }
      -- How many records each batch gets from this chunk.
      batch_records_added as (select batch_id, count(*)::int as n from ${recordRows(plan)} p group by batch_id),
      -- Every match is written: no record after the checkpoint can exist yet, since the
      -- checkpoint moves in this same statement. Should one exist all the same, the
      -- primary key refuses it and the run fails rather than write it twice.
      written as (
        insert into batch_records (batch_id, profile_id, record)
        select p.batch_id, p.profile_id, ${recordOf(plan, leaves.leaf)} from ${recordRows(plan)} p
        where exists (select 1 from fence)
      ),
      -- Each record counts once per namespace its profile has. (unnest in the select
      -- list costs a third of a lateral function scan on PGlite.)
      namespaces as (
        select namespace, count(*)::int as n
        from (select unnest(p.namespaces) as namespace from ${recordRows(plan)} p) each_namespace
        group by namespace
      )`;
}

/** What a chunk moves on its row (the job's, or its part's, as `row`): the checkpoint and the counters. */
function chunkCounters(row: SQL): SQL {
  return sql`checkpoint_profile_id = coalesce((select max(profile_id) from chunk_ids), ${row}.checkpoint_profile_id),
          processed_profiles = ${row}.processed_profiles + (select count(*) from chunk),
          exported_profiles = ${row}.exported_profiles + (select coalesce(sum(n), 0) from batch_records_added),
          exported_profiles_by_namespace = ${addedCounts(sql`${row}.exported_profiles_by_namespace`, sql`select namespace, n from namespaces`)}`;
}

/** A jsonb object of counts (`{key: n}`) with the rows of `additions` (key, n) added. */
export function addedCounts(counts: SQL, additions: SQL): SQL {
  return sql`(
    select coalesce(jsonb_object_agg(key, n), '{}'::jsonb) from (
      select key, sum(n)::int as n from (
        select key, value::int as n from jsonb_each_text(${counts})
        union all select * from (${additions}) added
      ) each_count group by key
    ) totals)`;
}

/**
 * The rows that become records: the chunk's profiles, each with the `batch_id`
 * it goes to (a profile in two segments' batches comes twice).
 */
function recordRows(plan: ExportPlan): SQL {
  const [only] = plan.targets;
  // One batch: every profile of the chunk qualified already, through its candidate ids.
  if (plan.targets.length === 1 && only) return sql`(select ${only.batchId}::text as batch_id, c.* from chunk c)`;
  return sql`matches`;
}

/** A batch per segment: each profile of the chunk once per batch of a segment it is a member of. */
function batchMatches(plan: ExportPlan): SQL {
  const batchIds = sql.join(
    plan.targets.map((target) => sql`${target.batchId}::text`),
    sql`, `,
  );
  // Target i holds segment i (exportPlan.ts), so a position is an index into the batch ids.
  return sql`select (array[${batchIds}])[pairs.position + 1] as batch_id, pairs.* from (
      select c.*, unnest(c.segments) as position from chunk c
    ) pairs where pairs.position is not null`;
}

/**
 * The value of each path the projection takes whole, as a column of the chunk
 * (`leaf_0`, …): read once per profile, however many times the projection
 * tests and uses it.
 */
function leafColumns(paths: string[][] | null): { columns: SQL[]; leaf: ValueAt } {
  const leaves = paths ? projectedLeaves(paths) : [];
  const names = new Map(leaves.map((path, i) => [JSON.stringify(path), `leaf_${i}`]));
  return {
    columns: leaves.map((path) => sql`${profileValueAt(path)} as ${sql.identifier(names.get(JSON.stringify(path))!)}`),
    leaf: (path) => {
      const name = names.get(JSON.stringify(path));
      return name ? sql`p.${sql.identifier(name)}` : profileValueAt(path);
    },
  };
}

/** The exported record of profile `p`: its document projected on `fields`, `profileId` always kept, events if asked. */
function recordOf(plan: ExportPlan, leaf: ValueAt): SQL {
  const document = sql`p.attributes || jsonb_build_object('profileId', p.profile_id, 'identities', p.identities)`;
  const projected = plan.paths
    ? sql`${projectionSql(plan.paths, { whole: document, valueAt: profileValueAt, leaf })} || jsonb_build_object('profileId', p.profile_id)`
    : document;
  if (!plan.events) return projected;
  const conditions: SQL[] = [
    sql`e.org_id = ${plan.orgId}`,
    sql`e.sandbox_name = ${plan.sandboxName}`,
    sql`e.profile_id = p.profile_id`,
  ];
  if (plan.events.ingestedAfter) conditions.push(sql`e.ingest_time > ${plan.events.ingestedAfter}::timestamptz`);
  if (plan.events.ingestedBefore) conditions.push(sql`e.ingest_time < ${plan.events.ingestedBefore}::timestamptz`);
  const event = plan.events.paths
    ? projectionSql(plan.events.paths, { whole: sql`e.data`, valueAt: (path) => sql`e.data #> ${pathLiteral(path)}` })
    : sql`e.data`;
  return sql`${projected} || jsonb_build_object('eventList', coalesce(
    (select jsonb_agg(${event} order by e.ingest_time, e.id) from experience_events e where ${sql.join(conditions, sql` and `)}),
    '[]'::jsonb))`;
}

/** A path of the profile document `{profileId, identities, ...attributes}`, read from the columns of `p`. */
function profileValueAt(path: string[]): SQL {
  const [first, ...rest] = path;
  if (first === 'profileId') return rest.length === 0 ? sql`to_jsonb(p.profile_id)` : sql`null::jsonb`;
  if (first === 'identities') return rest.length === 0 ? sql`p.identities` : sql`p.identities #> ${pathLiteral(rest)}`;
  return sql`p.attributes #> ${pathLiteral(path)}`;
}
