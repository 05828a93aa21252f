/**
 * Writes validated profiles in one transaction: all of them or none. Each table
 * gets one set-based statement whose rows travel as a single JSON parameter, so
 * a batch costs the same few round trips whatever its size.
 */
import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/createDb';
import type { Tenant } from '../tenant';
import type { ProfileRows } from './validateProfiles';

export async function upsertProfiles(db: AppDatabase, tenant: Tenant, rows: ProfileRows): Promise<number> {
  if (rows.profiles.length === 0) return 0;
  const { orgId, sandboxName } = tenant;
  await db.transaction(async (tx) => {
    await tx.execute(sql`
      insert into profiles (org_id, sandbox_name, profile_id, identities, attributes, updated_at, has_profile_record)
      select ${orgId}, ${sandboxName}, r.profile_id, r.identities, r.attributes, r.updated_at, r.has_profile_record
      from jsonb_to_recordset(${JSON.stringify(rows.profiles)}::jsonb)
        as r(profile_id text, identities jsonb, attributes jsonb, updated_at timestamptz, has_profile_record boolean)
      on conflict (org_id, sandbox_name, profile_id) do update set
        identities = excluded.identities,
        attributes = excluded.attributes,
        updated_at = excluded.updated_at,
        has_profile_record = excluded.has_profile_record`);
    if (rows.replaceSegmentsOf.length > 0) {
      await tx.execute(sql`
        delete from segment_memberships
        where org_id = ${orgId} and sandbox_name = ${sandboxName}
          and profile_id in (select jsonb_array_elements_text(${JSON.stringify(rows.replaceSegmentsOf)}::jsonb))`);
      await tx.execute(sql`
        insert into segment_memberships (org_id, sandbox_name, profile_id, segment_id, segment_ns, status, qualification_time)
        select ${orgId}, ${sandboxName}, r.profile_id, r.segment_id, r.segment_ns, r.status, r.qualification_time
        from jsonb_to_recordset(${JSON.stringify(rows.memberships)}::jsonb)
          as r(profile_id text, segment_id text, segment_ns text, status text, qualification_time timestamptz)`);
    }
    if (rows.replaceEventsOf.length > 0) {
      await tx.execute(sql`
        delete from experience_events
        where org_id = ${orgId} and sandbox_name = ${sandboxName}
          and profile_id in (select jsonb_array_elements_text(${JSON.stringify(rows.replaceEventsOf)}::jsonb))`);
      await tx.execute(sql`
        insert into experience_events (org_id, sandbox_name, profile_id, ingest_time, data)
        select ${orgId}, ${sandboxName}, r.profile_id, r.ingest_time, r.data
        from jsonb_to_recordset(${JSON.stringify(rows.events)}::jsonb)
          as r(profile_id text, ingest_time timestamptz, data jsonb)`);
    }
  });
  return rows.profiles.length;
}
