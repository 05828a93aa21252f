/**
 * What one slice of an export reads, as CTEs shared by the chunk statement and
 * the sliced count, so both walk exactly the same profiles:
 * - `chunk_ids`: the next candidate profile ids after `after`, at most `limit`;
 * - `slice_end`: one row, `reached`: no candidate is left after this slice;
 * - `chunk`: those of them whose profile passes the filter (with its document
 *   when `documents`), and with segments, `segments`: the positions in
 *   `plan.segments` of the filter's segments it is a member of.
 *
 * Both forms keep their plan whatever the statistics say. A store that was never
 * analyzed (no autovacuum on PGlite, nor on every PostgreSQL) made both
 * databases join the candidates to `profiles` by a nested loop over the whole
 * store: 5 s for a chunk of 2,000 on PGlite, 95 s for 300 profiles of a
 * `segmentPerBatch` job on PostgreSQL. So nothing here is left to a join choice:
 * - every profile: one range scan of the primary key, nothing to join;
 * - segments: each segment's members read through its index (already in
 *   order, a share of `limit` each) and merged, then each profile fetched by
 *   its primary key in a lateral subquery that cannot be flattened into a join
 *   (a plain lateral join was: the same nested loop, 10 s a chunk).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { ExportPlan } from '../exportPlan';
import { membershipQualifies, profileQualifies } from './exportConditions';

export interface ChunkSlice {
  /** The checkpoint: the slice starts after this profile id (null: at the start). */
  after: string | null;
  /** The last profile id the slice may take (a part's end, shardedExport.ts); null or absent: no end. */
  upTo?: string | null;
  /** The most candidate ids it takes. */
  limit: number;
  /** Read each profile's document (a chunk), or only its id (the count). */
  documents: boolean;
  /** More columns of each profile `p` for `chunk`, computed once per profile. */
  columns?: SQL[];
}

export function chunkSource(plan: ExportPlan, slice: ChunkSlice): SQL {
  const from = slice.after ?? '';
  const upTo = (column: SQL) => (slice.upTo == null ? sql`` : sql` and ${column} <= ${slice.upTo}`);
  const columns = sql.join(
    [
      slice.documents ? sql`p.profile_id, p.identities, p.attributes, p.namespaces` : sql`p.profile_id`,
      ...(slice.columns ?? []),
    ],
    sql`, `,
  );
  if (plan.segments === null) {
    return sql`chunk_range as materialized (
        select ${columns}, ${profileQualifies(plan)} as qualifies
        from profiles p
        where p.org_id = ${plan.orgId} and p.sandbox_name = ${plan.sandboxName} and p.profile_id > ${from}${upTo(sql`p.profile_id`)}
        order by p.profile_id limit ${slice.limit}
      ),
      chunk_ids as (select profile_id from chunk_range),
      slice_end as (select count(*) < ${slice.limit} as reached from chunk_range),
      chunk as (select * from chunk_range where qualifies)`;
  }
  const [only] = plan.segments;
  if (plan.segments.length === 1 && only) {
    // One segment: its next members are the candidates, so no boundary among lists is
    // needed, nor grouping (which took a fifth of the statement). A membership is keyed by
    // profile, segment and namespace: a profile comes once when the filter names the
    // namespace, and may come once per namespace when it does not (distinct, which the
    // index's order makes a streaming step).
    return sql`members as materialized (
        select ${only.segmentNs === null ? sql`distinct ` : sql``}m.profile_id from segment_memberships m
        where ${membershipQualifies(plan, only)} and m.profile_id > ${from}${upTo(sql`m.profile_id`)}
        order by m.profile_id limit ${slice.limit}
      ),
      chunk_ids as (select profile_id, array[0] as segments from members),
      slice_end as (select count(*) < ${slice.limit} as reached from members),
      ${profilesOf(plan, columns)}`;
  }
  // Each segment gives its next `perSegment` members. Up to the smallest last id
  // among the lists that were cut there (`boundary`), every list is complete, so
  // the ids up to it are exactly the candidates in that range: at most `limit`
  // memberships read, however many segments overlap. Lists all shorter than
  // `perSegment`: the end of every segment is in this slice.
  const perSegment = Math.max(1, Math.ceil(slice.limit / plan.segments.length));
  const lists = plan.segments.map(
    (segment, i) => sql`(select m.profile_id, ${i}::int as list from segment_memberships m
      where ${membershipQualifies(plan, segment)} and m.profile_id > ${from}${upTo(sql`m.profile_id`)}
      order by m.profile_id limit ${perSegment})`,
  );
  return sql`members as materialized (${sql.join(lists, sql` union all `)}),
      boundary as (
        select min(last) as profile_id from (
          select max(profile_id) as last from members group by list having count(*) >= ${perSegment}
        ) cut
      ),
      -- Each candidate with the lists (positions in the filter) it came from.
      chunk_ids as materialized (
        select profile_id, array_agg(distinct list) as segments from members
        where profile_id <= coalesce((select profile_id from boundary), profile_id)
        group by profile_id
      ),
      slice_end as (select not exists (select 1 from boundary where profile_id is not null) as reached),
      ${profilesOf(plan, columns)}`;
}

/** `chunk`: the profile of each candidate of `chunk_ids` that passes the filter, with its `segments`. */
function profilesOf(plan: ExportPlan, columns: SQL): SQL {
  return sql`chunk as (
        select p.*, c.segments from chunk_ids c
        -- offset 0 keeps the subquery from being flattened into a join: it stays a
        -- lookup by primary key per candidate, whatever the estimates.
        cross join lateral (
          select ${columns} from profiles p
          where ${profileQualifies(plan)} and p.profile_id = c.profile_id offset 0
        ) p
      )`;
}
