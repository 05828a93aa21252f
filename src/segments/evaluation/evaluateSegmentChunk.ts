/**
 * One chunk of a segment's evaluation, as one SQL statement: the next profiles
 * after a checkpoint (keyset on the primary key), each tested against the
 * segment's compiled predicate, and their memberships of that one segment
 * moved by the evaluation rules (DOMAIN.md, "Segment definitions and their
 * evaluation") in the same statement. A crash keeps all of a chunk or none.
 *
 * Rules, for a profile of the chunk evaluated at time T:
 * - qualifies, no membership or an EXITED one → REALIZED at T;
 * - qualifies, REALIZED or EXISTING → EXISTING, keeping its qualification time;
 * - does not qualify, REALIZED or EXISTING → EXITED at T;
 * - otherwise nothing.
 * Re-running a chunk at the same T gives the same table: a membership already
 * REALIZED at exactly T is this evaluation's own realization and stays
 * REALIZED; one EXITED at exactly T stays EXITED (and is counted as exited).
 */
import { sql, type SQL } from 'drizzle-orm';
import { onlyRow } from '../../db/onlyRow';
import type { AppDatabase } from '../../db/database';
import { executionTimeOf } from '../../db/executionTime';
import { PostgresErrorCode, postgresErrorCode } from '../../db/postgresErrors';
import type { Tenant } from '../../tenant';

/** One segment's evaluation at one time, as the chunks of it share it. */
export interface SegmentEvaluation {
  tenant: Tenant;
  segmentId: string;
  /** The segment's namespace, `ups` for the segments this service defines. */
  segmentNs: string;
  /** The compiled expression (`compileSegmentPredicate`) over the profiles row `p`, never NULL. */
  predicate: SQL;
  /** The evaluation time T: the qualification time it writes, and the one a re-run recognises. */
  now: Date;
}

/**
 * Which profiles one chunk takes: those after `after` (the checkpoint; null: from
 * the first profile), either up to and with `upTo` (a key range), or the next
 * `limit` in profile id order (a keyset page).
 */
export type EvaluationSlice = { after: string | null } & ({ upTo: string } | { limit: number });

/**
 * What a chunk (or a whole evaluation) left behind. Each profile counts at
 * most once; a re-run at the same T reports the same figures.
 */
export interface MembershipCounts {
  /** Profiles whose membership is REALIZED at T. */
  realized: number;
  /** Profiles whose membership stayed in the segment (EXISTING). */
  existing: number;
  /** Profiles whose membership is EXITED at T. */
  exited: number;
  /** Profiles evaluated. */
  profiles: number;
}

export interface ChunkResult extends MembershipCounts {
  /** The last profile id of the chunk: the next chunk's checkpoint (null when the chunk was empty). */
  lastProfileId: string | null;
  /** Memberships inserted or changed (unchanged EXISTING ones are not rewritten). */
  written: number;
  /** How long the statement itself ran (on PGlite, without its wait for the thread). */
  elapsedMs: number;
}

/** Evaluates the profiles of one slice and writes their memberships of the segment, in one statement. */
export async function evaluateSegmentChunk(
  db: AppDatabase,
  evaluation: SegmentEvaluation,
  slice: EvaluationSlice,
): Promise<ChunkResult> {
  if ('limit' in slice && (!Number.isInteger(slice.limit) || slice.limit < 1)) {
    throw new RangeError(`A chunk needs a positive integer limit (got ${slice.limit})`);
  }
  const startedAt = performance.now();
  type Row = {
    realized: number | string;
    existing: number | string;
    exited: number | string;
    profiles: number | string;
    written: number | string;
    last_profile_id: string | null;
  };
  let result;
  try {
    result = await db.execute<Row>(evaluateSegmentChunkSql(evaluation, slice));
  } catch (error: unknown) {
    if (postgresErrorCode(error) !== PostgresErrorCode.UNIQUE_VIOLATION) throw error;
    // A membership of the chunk appeared meanwhile (see ChunkWrites): nothing was written; once more as an upsert.
    result = await db.execute<Row>(evaluateSegmentChunkSql(evaluation, slice, 'upsert'));
  }
  const row = onlyRow(result, 'The chunk statement of a segment evaluation');
  return {
    realized: Number(row.realized ?? 0),
    existing: Number(row.existing ?? 0),
    exited: Number(row.exited ?? 0),
    profiles: Number(row.profiles ?? 0),
    written: Number(row.written ?? 0),
    // A range ends at its bound, even where its last profiles are gone.
    lastProfileId: 'upTo' in slice ? slice.upTo : (row.last_profile_id ?? null),
    elapsedMs: executionTimeOf(result, performance.now() - startedAt),
  };
}

/**
 * How a chunk writes its changes. `insert-or-update`: new memberships by a plain
 * INSERT, changed ones by an UPDATE — about twice as fast as an upsert (no
 * speculative insertion), and right whenever nothing else writes the segment's
 * memberships meanwhile, which the evaluation lease sees to. A membership written
 * by someone else all the same (`ingestProfiles` naming the segment) makes the
 * INSERT fail, the statement and nothing of the chunk: it is run again as `upsert`.
 */
export type ChunkWrites = 'insert-or-update' | 'upsert';

/** The chunk's statement: exported for EXPLAIN in the benchmark. */
export function evaluateSegmentChunkSql(
  evaluation: SegmentEvaluation,
  slice: EvaluationSlice,
  writes: ChunkWrites = 'insert-or-update',
): SQL {
  const { tenant, segmentId, segmentNs, predicate } = evaluation;
  // Bound as text and cast: the same on both drivers, and exact to the millisecond
  // the column keeps, so a re-run recognises its own REALIZED and EXITED rows.
  const now = sql`${evaluation.now.toISOString()}::timestamptz`;
  // Profile ids are never empty, so '' is before the first one.
  const after = slice.after ?? '';
  // A range lets the planner read its profiles in the heap's order (a bitmap scan, which
  // PGlite streams) rather than one index probe a profile; a page needs the index order.
  const walk = 'upTo' in slice ? sql`and p.profile_id <= ${slice.upTo}` : sql`order by p.profile_id limit ${slice.limit}`;
  // The memberships of the chunk's whole key range, also of profiles gone since.
  const end = 'upTo' in slice ? sql`${slice.upTo}` : sql`(select last_profile_id from chunk)`;
  return sql`
    with walked as (
      select p.profile_id, ${predicate} as qualifies
      from profiles p
      where p.org_id = ${tenant.orgId} and p.sandbox_name = ${tenant.sandboxName} and p.profile_id > ${after}
      ${walk}
    ),
    -- One pass over the chunk: its size, its last id (the next checkpoint) and the
    -- ids that qualify, which are all of it that is kept (most profiles of most
    -- chunks do not qualify).
    chunk as materialized (
      select count(*) as profiles, max(w.profile_id) as last_profile_id,
        coalesce(array_agg(w.profile_id) filter (where w.qualifies), '{}') as qualifying
      from walked w
    ),
    -- The segment's memberships of exactly the chunk's id range, read from
    -- segment_memberships_members_idx alone: bounded by the chunk whatever join the
    -- planner picks, even on a store that was never analyzed. The range is written on
    -- (segment_id, profile_id), which only that index serves: on plain profile_id
    -- bounds PGlite chose the primary key and read every segment's memberships of the
    -- chunk (about 8 ms of a 35 ms chunk of 20,000 profiles).
    previous as materialized (
      select m.profile_id, m.status, m.qualification_time
      from segment_memberships m
      where m.org_id = ${tenant.orgId} and m.sandbox_name = ${tenant.sandboxName} and m.segment_id = ${segmentId}
        and (m.segment_id, m.profile_id) > (${segmentId}, ${after})
        and (m.segment_id, m.profile_id) <= (${segmentId}, ${end})
        and m.segment_ns = ${segmentNs}
    ),
    qualifying as (select unnest(qualifying) as profile_id from chunk),
    -- The profiles that qualify or had a membership: the others neither have nor get one.
    decided as (
      select coalesce(q.profile_id, m.profile_id) as profile_id, m.status as was_status, m.qualification_time as was_time,
        case
          when q.profile_id is not null and (m.status is null or m.status = 'EXITED'
            or (m.status = 'REALIZED' and m.qualification_time = ${now})) then 'REALIZED'
          when q.profile_id is not null then 'EXISTING'
          when ${exitsAt(sql.raw('m'), now)} then 'EXITED'
        end as status,
        case
          when q.profile_id is not null and m.status in ('REALIZED', 'EXISTING')
            and not (m.status = 'REALIZED' and m.qualification_time = ${now}) then m.qualification_time
          else ${now}
        end as qualification_time
      from qualifying q
      full join previous m on m.profile_id = q.profile_id
    ),
    -- Only what changes is written: a segment re-evaluated with few changes
    -- rewrites few rows.
    changed as (
      select d.profile_id, d.was_status, d.status, d.qualification_time from decided d
      where d.status is not null
        and (d.was_status is distinct from d.status or d.was_time is distinct from d.qualification_time)
    ),
    ${writes === 'upsert' ? upsertChanged(evaluation) : insertOrUpdateChanged(evaluation, after, end)}
    select
      count(*) filter (where status = 'REALIZED') as realized,
      count(*) filter (where status = 'EXISTING') as existing,
      count(*) filter (where status = 'EXITED') as exited,
      (select profiles from chunk) as profiles,
      (select last_profile_id from chunk) as last_profile_id,
      (select count(*) from written) as written
    from decided`;
}

/**
 * The membership `m` of a profile that does not qualify at T (`at`) ends EXITED at
 * T: it was in the segment (REALIZED or EXISTING), or it is this evaluation's own
 * exit, found again by a re-run. Shared with the members past the last profile
 * (exitMembersPastLastProfile.ts), which exit by the same rule.
 */
export function exitsAt(m: SQL, at: SQL): SQL {
  return sql`(${m}.status in ('REALIZED', 'EXISTING') or (${m}.status = 'EXITED' and ${m}.qualification_time = ${at}))`;
}

/** One upsert serves all three moves: a realization inserts or meets an EXITED row, an exit always meets its row. */
function upsertChanged({ tenant, segmentId, segmentNs }: SegmentEvaluation): SQL {
  return sql`written as (
      insert into segment_memberships as m (org_id, sandbox_name, profile_id, segment_id, segment_ns, status, qualification_time)
      select ${tenant.orgId}, ${tenant.sandboxName}, c.profile_id, ${segmentId}, ${segmentNs}, c.status, c.qualification_time
      from changed c
      on conflict (org_id, sandbox_name, profile_id, segment_id, segment_ns) do update
        set status = excluded.status, qualification_time = excluded.qualification_time
      returning 1
    )`;
}

/**
 * A profile without a membership gets one inserted; one with a membership has it
 * updated. The update reads the chunk's id range alone, whatever plan an unanalyzed
 * store gets (a hash over every membership of the segment would be read each chunk).
 */
function insertOrUpdateChanged({ tenant, segmentId, segmentNs }: SegmentEvaluation, after: string, end: SQL): SQL {
  return sql`inserted as (
      insert into segment_memberships (org_id, sandbox_name, profile_id, segment_id, segment_ns, status, qualification_time)
      select ${tenant.orgId}, ${tenant.sandboxName}, c.profile_id, ${segmentId}, ${segmentNs}, c.status, c.qualification_time
      from changed c
      where c.was_status is null
      returning 1
    ),
    updated as (
      update segment_memberships m
      set status = c.status, qualification_time = c.qualification_time
      from changed c
      where c.was_status is not null
        and m.org_id = ${tenant.orgId} and m.sandbox_name = ${tenant.sandboxName} and m.profile_id = c.profile_id
        and m.segment_id = ${segmentId} and m.segment_ns = ${segmentNs}
        and m.profile_id > ${after} and m.profile_id <= ${end}
      returning 1
    ),
    written as (select 1 from inserted union all select 1 from updated)`;
}
