/**
 * One chunk of an export, as one SQL statement: take the next profiles after
 * the checkpoint (keyset on profile_id), project them into records of their
 * batches, and in the same statement advance the job's checkpoint and
 * counters. A crash either keeps all of a chunk or none of it, so a new run
 * resumes at the checkpoint and writes every record exactly once.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { AppDatabase } from '../../db/createDb';
import { rowsOf } from '../../db/rows';
import type { ExportJobStatus } from '../../jobs/exportJobStatus';
import type { ExportPlan } from '../exportPlan';
import { memberOfAny, membershipQualifies, profileQualifies } from './exportConditions';
import { pathLiteral, projectionSql } from './projectionSql';

export interface ChunkOutcome {
  /** Candidates read; 0 means the export has read everything. */
  scanned: number;
  /** The job's status after the chunk, or null when this runner no longer holds the job. */
  status: ExportJobStatus | null;
  processedProfiles: number;
  /** The job's event sequence after the chunk. */
  eventSequence: number;
  /** Where the next chunk starts. */
  checkpoint: string | null;
}

export interface ChunkRun {
  runnerId: string;
  leaseMs: number;
  chunkSize: number;
  /** The checkpoint: the chunk starts after this profile id. */
  after: string | null;
}

export async function exportChunk(db: AppDatabase, plan: ExportPlan, run: ChunkRun): Promise<ChunkOutcome> {
  const [row] = rowsOf<{
    scanned: number | string;
    status: ExportJobStatus | null;
    processed: number | null;
    sequence: number | null;
    checkpoint: string | null;
  }>(await db.execute(exportChunkSql(plan, run)));
  return {
    scanned: Number(row?.scanned ?? 0),
    status: row?.status ?? null,
    processedProfiles: Number(row?.processed ?? 0),
    eventSequence: Number(row?.sequence ?? 0),
    checkpoint: row?.checkpoint ?? null,
  };
}

/** The statement of one chunk: filter, projection and write. */
function exportChunkSql(plan: ExportPlan, run: ChunkRun): SQL {
  const after = run.after ?? '';
  return sql`
      -- Fence: the job row, locked, only while this runner holds the lease. A runner
      -- whose lease another took meanwhile waits for that claim, then finds nothing
      -- here and writes nothing at all.
      with fence as (
        select id from export_jobs where id = ${plan.jobId} and locked_by = ${run.runnerId} for update
      ),
      chunk_ids as (${candidateIds(plan, after, run.chunkSize)}),
      chunk as (
        select p.profile_id, p.identities, p.attributes, p.namespaces from profiles p
        where ${profileQualifies(plan)} and p.profile_id in (select profile_id from chunk_ids)
      ),
      matches as (${batchMatches(plan)}),
      -- Every match is written: no record after the checkpoint can exist yet, since the
      -- checkpoint moves in this same statement. Should one exist all the same, the
      -- primary key refuses it and the run fails rather than write it twice.
      written as (
        insert into batch_records (batch_id, profile_id, record)
        select ${recordSources(plan)}
        where exists (select 1 from fence)
      ),
      batch_counts as (
        update batches b set record_count = b.record_count + m.n
        from (select batch_id, count(*)::int as n from matches group by batch_id) m
        where b.id = m.batch_id and exists (select 1 from fence)
        returning b.id
      ),
      -- Each record counts once per namespace its profile has.
      namespaces as (${namespaceCounts(plan)}),
      job as (
        update export_jobs j set
          checkpoint_profile_id = coalesce((select max(profile_id) from chunk_ids), j.checkpoint_profile_id),
          processed_profiles = j.processed_profiles + (select count(*) from chunk),
          exported_profiles = j.exported_profiles + (select count(*) from matches),
          exported_profiles_by_namespace = (
            select coalesce(jsonb_object_agg(namespace, n), '{}'::jsonb) from (
              select namespace, sum(n)::int as n from (
                select key as namespace, value::int as n from jsonb_each_text(j.exported_profiles_by_namespace)
                union all select namespace, n from namespaces
              ) counts group by namespace
            ) totals),
          locked_until = now() + ${run.leaseMs} * interval '1 millisecond',
          update_time = now(),
          event_sequence = j.event_sequence + 1
        where j.id in (select id from fence)
        returning j.status, j.processed_profiles, j.event_sequence
      )
      select (select count(*) from chunk_ids) as scanned,
             (select status from job) as status,
             (select processed_profiles from job) as processed,
             (select event_sequence from job) as sequence,
             coalesce((select max(profile_id) from chunk_ids), ${run.after}) as checkpoint`;
}

/**
 * The next `limit` candidate profile ids after `after`, in order. With segments,
 * each segment's members are read through its index, already in order, and
 * merged: no chunk reads further than it exports.
 */
function candidateIds(plan: ExportPlan, after: string, limit: number): SQL {
  if (plan.segments === null) {
    return sql`select p.profile_id from profiles p
      where ${profileQualifies(plan)} and p.profile_id > ${after}
      order by p.profile_id limit ${limit}`;
  }
  const perSegment = plan.segments.map(
    (segment) => sql`(select m.profile_id from segment_memberships m
      where ${membershipQualifies(plan, segment)} and m.profile_id > ${after}
      order by m.profile_id limit ${limit})`,
  );
  return sql`select profile_id from (${sql.join(perSegment, sql` union `)}) members
    order by profile_id limit ${limit}`;
}

/** (batch, profile) pairs of the chunk `chunk`: which batch each exported profile goes to. */
function batchMatches(plan: ExportPlan): SQL {
  const [only] = plan.targets;
  // One batch: every profile of the chunk qualified already, through its candidate ids.
  if (plan.targets.length === 1 && only) return sql`select ${only.batchId}::text as batch_id, p.profile_id from chunk p`;
  return sql.join(
    plan.targets.map(
      (target) =>
        sql`select ${target.batchId}::text as batch_id, p.profile_id from chunk p where ${memberOfAny(plan, target.segments)}`,
    ),
    sql` union all `,
  );
}

/** What the insert reads: each (batch, profile) pair with its record. One batch needs no pairing. */
function recordSources(plan: ExportPlan): SQL {
  const [only] = plan.targets;
  if (plan.targets.length === 1 && only) {
    return sql`${only.batchId}::text, p.profile_id, ${recordOf(plan)} from chunk p`;
  }
  return sql`m.batch_id, p.profile_id, ${recordOf(plan)} from matches m join chunk p on p.profile_id = m.profile_id`;
}

/** Records per namespace: each record counts once for each namespace its profile has. */
function namespaceCounts(plan: ExportPlan): SQL {
  if (plan.targets.length === 1) {
    return sql`select namespace, count(*)::int as n from chunk p cross join unnest(p.namespaces) as namespace group by namespace`;
  }
  return sql`select namespace, sum(m.records)::int as n
    from chunk p cross join unnest(p.namespaces) as namespace
    join (select profile_id, count(*) as records from matches group by profile_id) m on m.profile_id = p.profile_id
    group by namespace`;
}

/** The exported record of profile `p`: its document projected on `fields`, `profileId` always kept, events if asked. */
function recordOf(plan: ExportPlan): SQL {
  const document = sql`p.attributes || jsonb_build_object('profileId', p.profile_id, 'identities', p.identities)`;
  const projected = plan.paths
    ? sql`${projectionSql(plan.paths, document, profileValueAt)} || jsonb_build_object('profileId', p.profile_id)`
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
    ? projectionSql(plan.events.paths, sql`e.data`, (path) => sql`e.data #> ${pathLiteral(path)}`)
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
