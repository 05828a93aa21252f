/**
 * Ten hand-made profiles (p01…p10), their experience events and a few
 * memberships that no evaluation here may touch, written straight with SQL
 * into one tenant; and the memberships read back in a form to compare with
 * expectations written by hand.
 *
 * Who qualifies at T1 (2024-06-15T12:00:00Z), worked out by hand:
 * - US_LOYAL (country US and points > 500): p01, p03, p06 — p08 has exactly
 *   500, p09 stores its points as a string, p05 has no attributes;
 * - JO (first name starts with "Jo"): p01, p02, p06, p08, p10;
 * - BUYERS (two purchases or more in the 7 days before now): p05, p06 — p07
 *   has one inside and one outside the window, p04 only page views.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../../src/db/database';
import type { Tenant } from '../../../src/tenant';

export const T1 = new Date('2024-06-15T12:00:00Z');
export const T2 = new Date('2024-06-22T12:00:00Z');
export const T3 = new Date('2024-06-29T12:00:00Z');

export const US_LOYAL = 'homeAddress.countryCode = "US" and loyalty.points > 500';
export const JO = 'person.name.firstName.startsWith("Jo")';
export const BUYERS = 'xEvent[eventType = "commerce.purchases" and timestamp occurs < 7 days before now].count() >= 2';

const person = (firstName: string, countryCode: string, points: unknown) => ({
  person: { name: { firstName } },
  homeAddress: { countryCode },
  loyalty: { points },
});

const PROFILES: [id: string, attributes: Record<string, unknown>][] = [
  ['p01', person('John', 'US', 900)],
  ['p02', person('Joanna', 'US', 100)],
  ['p03', person('Mark', 'US', 501)],
  ['p04', person('Anna', 'DE', 900)],
  ['p05', {}],
  ['p06', person('Jo', 'US', 600)],
  ['p07', person('Bob', 'BR', 700)],
  ['p08', person('Joe', 'US', 500)],
  ['p09', person('Lee', 'US', '900')],
  ['p10', person('Jon', 'GB', 1000)],
];

const PURCHASE = 'commerce.purchases';
export const EVENTS: [profileId: string, eventType: string, timestamp: string][] = [
  ['p04', 'web.webpagedetails.pageViews', '2024-06-15T10:00:00Z'],
  ['p04', 'web.webpagedetails.pageViews', '2024-06-14T10:00:00Z'],
  ['p04', 'web.webpagedetails.pageViews', '2024-06-13T10:00:00Z'],
  ['p05', PURCHASE, '2024-06-14T12:00:00Z'],
  ['p05', PURCHASE, '2024-06-13T12:00:00Z'],
  ['p06', PURCHASE, '2024-06-15T11:00:00Z'],
  ['p06', PURCHASE, '2024-06-12T12:00:00Z'],
  ['p07', PURCHASE, '2024-06-14T12:00:00Z'],
  ['p07', PURCHASE, '2024-06-05T12:00:00Z'],
];

/** Memberships already there: another segment's, and the evaluated segments' ids in another sandbox. */
const UNTOUCHABLE: [sandboxName: string | null, profileId: string, segmentId: string, status: string, time: string][] = [
  [null, 'p01', 'seg-ingested', 'REALIZED', '2024-01-01T00:00:00.000Z'],
  [null, 'p04', 'seg-ingested', 'EXISTING', '2024-01-02T00:00:00.000Z'],
  [null, 'p05', 'seg-ingested', 'EXITED', '2024-01-03T00:00:00.000Z'],
  ['other', 'p02', 'seg-us-loyal', 'REALIZED', '2024-01-04T00:00:00.000Z'],
  ['other', 'p04', 'seg-jo', 'EXISTING', '2024-01-05T00:00:00.000Z'],
  ['other', 'p07', 'seg-buyers', 'REALIZED', '2024-01-06T00:00:00.000Z'],
];

/** Writes the profiles and events into `tenant` and into a sandbox `other` of the same org, plus the memberships above. */
export async function seedFixture(database: Database, tenant: Tenant): Promise<void> {
  for (const sandboxName of [tenant.sandboxName, 'other']) {
    for (const [id, attributes] of PROFILES) {
      await database.db.execute(sql`
        insert into profiles (org_id, sandbox_name, profile_id, identities, attributes, updated_at, has_profile_record)
        values (${tenant.orgId}, ${sandboxName}, ${id}, ${JSON.stringify([{ namespace: 'ecid', id: `ecid-${id}` }])}::text::jsonb,
          ${JSON.stringify(attributes)}::text::jsonb, ${T1.toISOString()}::timestamptz, ${Object.keys(attributes).length > 0})`);
    }
    for (const [profileId, eventType, timestamp] of EVENTS) await addEvent(database, { ...tenant, sandboxName }, profileId, eventType, timestamp);
  }
  for (const [sandboxName, profileId, segmentId, status, time] of UNTOUCHABLE) {
    await database.db.execute(sql`
      insert into segment_memberships (org_id, sandbox_name, profile_id, segment_id, segment_ns, status, qualification_time)
      values (${tenant.orgId}, ${sandboxName ?? tenant.sandboxName}, ${profileId}, ${segmentId}, 'ups', ${status}, ${time}::timestamptz)`);
  }
}

export async function addEvent(database: Database, tenant: Tenant, profileId: string, eventType: string, timestamp: string): Promise<void> {
  // The ingest time is far from the event's own time: the window must read the latter.
  await database.db.execute(sql`
    insert into experience_events (org_id, sandbox_name, profile_id, ingest_time, data)
    values (${tenant.orgId}, ${tenant.sandboxName}, ${profileId}, '2020-01-01T00:00:00Z'::timestamptz,
      ${JSON.stringify({ eventType, timestamp })}::text::jsonb)`);
}

/** Sets one attribute of one profile (`path` as in `#>`), as an ingest would change it. */
export async function setAttribute(database: Database, tenant: Tenant, profileId: string, path: string[], value: unknown): Promise<void> {
  await database.db.execute(sql`
    update profiles set attributes = jsonb_set(attributes, ${`{${path.join(',')}}`}::text::text[], ${JSON.stringify(value)}::text::jsonb)
    where org_id = ${tenant.orgId} and sandbox_name = ${tenant.sandboxName} and profile_id = ${profileId}`);
}

/** `sandbox profileId segmentId segmentNs STATUS qualificationTime`, one string a membership, sorted. */
export async function membershipsOf(database: Database, orgId: string, segmentId?: string): Promise<string[]> {
  const rows = await database.db.execute<{ line: string }>(sql`
    select sandbox_name || ' ' || profile_id || ' ' || segment_id || ' ' || segment_ns || ' ' || status || ' '
      || to_char(qualification_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as line
    from segment_memberships
    where org_id = ${orgId} ${segmentId === undefined ? sql`` : sql`and segment_id = ${segmentId}`}`);
  // Sorted here, not by the database's collation: the same order on both databases.
  return rows.map((row) => row.line).sort();
}

/** The memberships of `seedFixture` that evaluations in sandbox `prod` must leave as they are. */
export const UNTOUCHED_LINES = UNTOUCHABLE.map(
  ([sandboxName, profileId, segmentId, status, time]) => `${sandboxName ?? 'prod'} ${profileId} ${segmentId} ups ${status} ${time}`,
).sort();
