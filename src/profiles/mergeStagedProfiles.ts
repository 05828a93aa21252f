/**
 * The staging table of an ingest (a file or an ingestProfiles call) and the
 * set-based statements that move it into the profile store, the one place
 * that says what an upsert means: a staged profile replaces the stored one; its memberships and events replace the
 * stored ones when it gives them (non-null column) and are kept when it does not.
 *
 * Staged JSON and timestamps are text: COPY then cannot fail on content (every
 * line was validated before), and the casts run here, in ordinary statements.
 */
import type { Tenant } from '../tenant';
import { STAGING_TABLE, type StagingSession } from './stagingSession';

/** Creates the session's staging table; it is dropped with the transaction. */
export async function createStagingTable(session: StagingSession): Promise<void> {
  await session.query(`
    create temporary table ${STAGING_TABLE} (
      line integer not null,
      profile_id text not null,
      identities text not null,
      attributes text not null,
      updated_at text not null,
      has_profile_record boolean not null,
      segments text,
      events text
    ) on commit drop`);
}

export interface RepeatedProfile {
  profileId: string;
  firstLine: number;
  line: number;
}

/** The earliest line that repeats a profileId given on an earlier line, if any. */
export async function findRepeatedProfile(session: StagingSession): Promise<RepeatedProfile | undefined> {
  // Two aggregates and no sort: cheap even for millions of staged lines.
  const [first] = await session.query<{ profile_id: string; first_line: number }>(`
    select profile_id, min(line) as first_line
    from ${STAGING_TABLE}
    group by profile_id
    having count(*) > 1
    order by min(line)
    limit 1`);
  if (!first) return undefined;
  const [second] = await session.query<{ line: number }>(
    `select min(line) as line from ${STAGING_TABLE} where profile_id = $1 and line > $2`,
    [first.profile_id, first.first_line],
  );
  return { profileId: first.profile_id, firstLine: first.first_line, line: second!.line };
}

/** Upserts every staged profile into `tenant`'s store; returns how many. */
export async function mergeStagedProfiles(session: StagingSession, tenant: Tenant): Promise<number> {
  const scope = [tenant.orgId, tenant.sandboxName];
  // Temporary tables are never auto-analysed; without statistics the joins below plan badly.
  await session.query(`analyze ${STAGING_TABLE}`);
  const [{ count } = { count: 0 }] = await session.query<{ count: number }>(`
    with upserted as (
      insert into profiles (org_id, sandbox_name, profile_id, identities, attributes, updated_at, has_profile_record)
      select $1::text, $2::text, s.profile_id, s.identities::jsonb, s.attributes::jsonb, s.updated_at::timestamptz,
        s.has_profile_record
      from ${STAGING_TABLE} s
      -- Rows locked in key order: two calls that upsert the same profiles in different
      -- orders would otherwise each wait for a row the other holds (a deadlock).
      order by s.profile_id
      on conflict (org_id, sandbox_name, profile_id) do update set
        identities = excluded.identities,
        attributes = excluded.attributes,
        updated_at = excluded.updated_at,
        has_profile_record = excluded.has_profile_record
      returning 1
    )
    select count(*)::integer as count from upserted`, scope);
  await session.query(
    `delete from segment_memberships m
    using ${STAGING_TABLE} s
    where m.org_id = $1 and m.sandbox_name = $2 and m.profile_id = s.profile_id and s.segments is not null`,
    scope,
  );
  await session.query(
    `insert into segment_memberships (org_id, sandbox_name, profile_id, segment_id, segment_ns, status, qualification_time)
    select $1::text, $2::text, s.profile_id, m.segment_id, m.segment_ns, m.status, m.qualification_time
    from ${STAGING_TABLE} s
    cross join lateral jsonb_to_recordset(s.segments::jsonb)
      as m(segment_id text, segment_ns text, status text, qualification_time timestamptz)
    where s.segments is not null`,
    scope,
  );
  await session.query(
    `delete from experience_events e
    using ${STAGING_TABLE} s
    where e.org_id = $1 and e.sandbox_name = $2 and e.profile_id = s.profile_id and s.events is not null`,
    scope,
  );
  await session.query(
    `insert into experience_events (org_id, sandbox_name, profile_id, ingest_time, data)
    select $1::text, $2::text, s.profile_id, e.ingest_time, e.data
    from ${STAGING_TABLE} s
    cross join lateral jsonb_to_recordset(s.events::jsonb) as e(ingest_time timestamptz, data jsonb)
    where s.events is not null`,
    scope,
  );
  return count;
}
