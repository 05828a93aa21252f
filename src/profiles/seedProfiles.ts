/**
 * A deterministic synthetic profile store, generated inside the database
 * (`generate_series`, set-based INSERT … SELECT; no row passes through Node).
 *
 * Profile number i (1…N) is `p0000001`…; every choice about it is a hash of i
 * (`hashint8extended(i, salt)`, stable across PostgreSQL versions because hash
 * partitioning depends on it), and every time is an offset back from
 * `SEED_REFERENCE_TIME`, so the same N always gives the same documents:
 * - identities: `ecid` always; `email` ~80 %, `crmId` ~60 %, `phone` ~40 %;
 * - attributes: `personalEmail.address`, `person.name.firstName/lastName`,
 *   `person.favoriteColors` (each of eight colours with one chance in two),
 *   `loyalty.points/tier`, `homeAddress.countryCode`;
 * - ~5 % are empty profiles: `hasProfileRecord` false, no attributes or
 *   memberships, only an `ecid` and events;
 * - 1–3 memberships per other profile among `seg-00`…`seg-19` (`segmentNs`
 *   `ups`), statuses REALIZED/EXISTING/EXITED evenly, qualification times over
 *   the 90 days before the reference time;
 * - 1–4 experience events on ~25 % of profiles and on every empty one;
 * - with `recentEvents`, 1–6 more on every profile (segment benchmarks):
 *   `eventType` one of four (a quarter `commerce.purchases`, with
 *   `commerce.order.priceTotal`), `timestamp` in the 60 days before the
 *   reference time, more of them recent (as a shop's traffic grows).
 */
import { count, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database';
import { experienceEvents, profiles, segmentMemberships } from '../db/schema';
import { ofTenant } from '../db/tenantScope';
import { analyzeAfterLoad } from './analyzeProfileStore';
import type { Tenant } from '../tenant';

/** Every generated time lies in the 90 days before this instant. */
export const SEED_REFERENCE_TIME = '2025-01-01T00:00:00Z';
export const SEED_SEGMENT_COUNT = 20;
/** The most profiles one seed generates. */
export const MAX_SEED_PROFILES = 100_000_000;

export interface SeedProgress {
  /** Profiles written so far. */
  profiles: number;
  total: number;
}

export interface SeedOptions {
  /** Profiles per statement round; progress is reported after each. Default 100,000. */
  chunkSize?: number;
  /** Also give every profile 1–6 events in the 60 days before the reference time. Default false. */
  recentEvents?: boolean;
  onProgress?: (progress: SeedProgress) => void;
}

export interface SeedSummary {
  profiles: number;
  memberships: number;
  events: number;
  /** Why the store could not be analyzed after the seed, which stands; null when it was. */
  analyzeFailure: string | null;
}

const NINETY_DAYS = 90 * 24 * 60 * 60;

/**
 * Replaces `tenant`'s profile store with `n` synthetic profiles, in one
 * transaction: readers see the old store or the new one, never half of it.
 * Leaves the store's statistics fresh.
 */
export async function seedProfiles(
  database: Database,
  tenant: Tenant,
  n: number,
  options: SeedOptions = {},
): Promise<SeedSummary> {
  if (!Number.isInteger(n) || n < 0 || n > MAX_SEED_PROFILES) {
    throw new RangeError(`The number of profiles must be an integer from 0 to ${MAX_SEED_PROFILES} (got ${n})`);
  }
  const chunkSize = options.chunkSize ?? 100_000;
  const summary = await database.db.transaction(async (tx) => {
    for (const table of [experienceEvents, segmentMemberships, profiles]) {
      await tx.delete(table).where(ofTenant(table, tenant));
    }
    for (let first = 1; first <= n; first += chunkSize) {
      const last = Math.min(first + chunkSize - 1, n);
      await tx.execute(insertProfiles(tenant, first, last));
      await tx.execute(insertMemberships(tenant, first, last));
      await tx.execute(insertEvents(tenant, first, last));
      if (options.recentEvents) await tx.execute(insertRecentEvents(tenant, first, last));
      options.onProgress?.({ profiles: last, total: n });
    }
    const counted = async (table: typeof profiles | typeof segmentMemberships | typeof experienceEvents) => {
      const [row] = await tx
        .select({ n: count() })
        .from(table)
        .where(ofTenant(table, tenant));
      return row?.n ?? 0;
    };
    return {
      profiles: await counted(profiles),
      memberships: await counted(segmentMemberships),
      events: await counted(experienceEvents),
    };
  });
  return { ...summary, analyzeFailure: await analyzeAfterLoad(database.db) };
}

/** A non-negative 63-bit hash of `value` under `salt`. */
function hash(value: SQL, salt: number): SQL {
  return sql`(hashint8extended(${value}, ${sql.raw(String(salt))}) & 9223372036854775807)`;
}

/**
 * Profiles `first`…`last`. `empty` must mean the same in all three statements,
 * hence one definition; other choices each hash with a salt of their own
 * (`pick`), so that no two are correlated.
 */
function seedRows(first: number, last: number): SQL {
  return sql`(
    select i,
      'p' || lpad(i::text, greatest(7, length(i::text)), '0') as profile_id,
      ${pick(0, 20)} = 0 as empty
    from generate_series(${first}::integer, ${last}::integer) as i
  )`;
}

/** A hash of profile number `i` under `salt`, modulo `modulus`. */
function pick(salt: number, modulus: number, value: SQL = sql`i`): SQL {
  return sql`(${hash(sql`${value}::bigint`, salt)} % ${sql.raw(String(modulus))})::integer`;
}

const reference = sql`${SEED_REFERENCE_TIME}::timestamptz`;
/** The reference time minus `seconds`. */
const back = (seconds: SQL) => sql`${reference} - make_interval(secs => ${seconds})`;

function insertProfiles({ orgId, sandboxName }: Tenant, first: number, last: number): SQL {
  const of = (salt: number, modulus: number) => pick(salt, modulus, sql`g.i`);
  const identity = (namespace: string, id: SQL) =>
    sql`jsonb_build_array(jsonb_build_object('namespace', ${sql.raw(`'${namespace}'`)}, 'id', ${id}))`;
  const maybe = (condition: SQL, value: SQL) => sql`case when ${condition} then ${value} else '[]'::jsonb end`;
  return sql`
    insert into profiles (org_id, sandbox_name, profile_id, identities, attributes, updated_at, has_profile_record)
    select ${orgId}::text, ${sandboxName}::text, g.profile_id,
      case when g.empty then ${identity('ecid', sql`g.ecid`)}
      else ${identity('ecid', sql`g.ecid`)}
        || ${maybe(sql`${of(11, 10)} < 8`, identity('email', sql`g.email`))}
        || ${maybe(sql`${of(12, 10)} < 6`, identity('crmId', sql`'crm-' || g.i`))}
        || ${maybe(sql`${of(13, 10)} < 4`, identity('phone', sql`'+1555' || lpad(${of(14, 10_000_000)}::text, 7, '0')`))}
      end,
      case when g.empty then '{}'::jsonb
      else jsonb_build_object(
        'personalEmail', jsonb_build_object('address', g.email),
        'person', jsonb_build_object('name', jsonb_build_object('firstName', g.first_name, 'lastName', g.last_name),
          'favoriteColors', ${favoriteColors(of(25, 256))}),
        'loyalty', jsonb_build_object('points', ${of(15, 10_000)}, 'tier', (array['bronze', 'silver', 'gold', 'platinum'])[1 + ${of(16, 4)}]),
        'homeAddress', jsonb_build_object('countryCode', (array['US', 'DE', 'FR', 'BR', 'KR', 'GB', 'JP', 'IN'])[1 + ${of(17, 8)}]))
      end,
      ${back(of(18, NINETY_DAYS))},
      not g.empty
    from (
      select r.*, 'ecid-' || md5(r.profile_id) as ecid,
        lower(n.first_name) || '.' || lower(n.last_name) || r.i || '@example.com' as email, n.first_name, n.last_name
      from ${seedRows(first, last)} r
      cross join lateral (select
        (array['Ana', 'Ben', 'Chloé', 'David', 'Elif', 'Felix', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kim', 'Lucas', 'Mia', 'Noah', 'Olga', 'Pedro'])[1 + ${pick(19, 16, sql`r.i`)}] as first_name,
        (array['Almeida', 'Becker', 'Choi', 'Dubois', 'Evans', 'Fischer', 'García', 'Hansen', 'Ito', 'Jensen', 'Kim', 'Lopes', 'Müller', 'Nakamura', 'Oliveira', 'Park'])[1 + ${pick(20, 16, sql`r.i`)}] as last_name
      ) n
    ) g`;
}

const COLORS = ['red', 'orange', 'yellow', 'green', 'blue', 'indigo', 'violet', 'black'];

/** A jsonb array of the colours whose bit is set in `mask` (0…255), without a subquery per row. */
function favoriteColors(mask: SQL): SQL {
  const maybe = COLORS.map((color, bit) => sql.raw(`case when m.mask & ${1 << bit} <> 0 then '${color}' end`));
  return sql`(select to_jsonb(array_remove(array[${sql.join(maybe, sql`, `)}], null)) from (select ${mask} as mask) m)`;
}

function insertMemberships({ orgId, sandboxName }: Tenant, first: number, last: number): SQL {
  // Segment k of a profile is (base + 7k) mod 20: k = 0, 1, 2 never collide, as the primary key requires.
  const membership = (salt: number, modulus: number) => pick(salt, modulus, sql`g.i * 4 + k`);
  return sql`
    insert into segment_memberships (org_id, sandbox_name, profile_id, segment_id, segment_ns, status, qualification_time)
    select ${orgId}::text, ${sandboxName}::text, g.profile_id,
      'seg-' || lpad(((${pick(21, SEED_SEGMENT_COUNT, sql`g.i`)} + 7 * k) % ${sql.raw(String(SEED_SEGMENT_COUNT))})::text, 2, '0'),
      'ups',
      (array['REALIZED', 'EXISTING', 'EXITED'])[1 + ${membership(22, 3)}],
      ${back(membership(23, NINETY_DAYS))}
    from ${seedRows(first, last)} g
    cross join lateral generate_series(0, ${pick(24, 3, sql`g.i`)}) as k
    where not g.empty`;
}

function insertEvents({ orgId, sandboxName }: Tenant, first: number, last: number): SQL {
  const event = (salt: number, modulus: number) => pick(salt, modulus, sql`g.i * 8 + k`);
  return sql`
    insert into experience_events (org_id, sandbox_name, profile_id, ingest_time, data)
    select ${orgId}::text, ${sandboxName}::text, e.profile_id, e.ingest_time,
      jsonb_build_object(
        '_id', e.profile_id || '-e' || e.k,
        'eventType', (array['web.webpagedetails.pageViews', 'commerce.productViews', 'commerce.productListAdds', 'commerce.purchases'])[1 + e.kind],
        'timestamp', to_char((e.ingest_time - interval '5 minutes') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
        'web', jsonb_build_object('webPageDetails', jsonb_build_object('name', 'page-' || e.page)))
    from (
      select g.profile_id, k, ${event(31, 4)} as kind, ${event(32, 50)} as page, ${back(event(33, NINETY_DAYS))} as ingest_time
      from ${seedRows(first, last)} g
      cross join lateral generate_series(1, 1 + ${pick(34, 4, sql`g.i`)}) as k
      where g.empty or ${pick(35, 4, sql`g.i`)} = 0
    ) e`;
}

const SIXTY_DAYS = 60 * 24 * 60 * 60;

/** 1–6 events a profile in the 60 days before the reference time, denser near it (the square of a uniform draw). */
function insertRecentEvents({ orgId, sandboxName }: Tenant, first: number, last: number): SQL {
  const event = (salt: number, modulus: number) => pick(salt, modulus, sql`g.i * 8 + k`);
  return sql`
    insert into experience_events (org_id, sandbox_name, profile_id, ingest_time, data)
    select ${orgId}::text, ${sandboxName}::text, e.profile_id, e.event_time + interval '5 minutes',
      jsonb_build_object(
        '_id', e.profile_id || '-r' || e.k,
        'eventType', (array['web.webpagedetails.pageViews', 'commerce.productViews', 'commerce.productListAdds', 'commerce.purchases'])[1 + e.kind],
        'timestamp', to_char(e.event_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
      || case when e.kind = 3 then jsonb_build_object('commerce', jsonb_build_object('order', jsonb_build_object('priceTotal', e.price))) else '{}'::jsonb end
    from (
      select g.profile_id, k, ${event(41, 4)} as kind, ${event(42, 500)} + 1 as price,
        ${back(sql`floor(${sql.raw(String(SIXTY_DAYS))} * power(${event(43, 1_000_000)} / 1e6, 2))::float8`)} as event_time
      from ${seedRows(first, last)} g
      cross join lateral generate_series(1, 1 + ${pick(44, 6, sql`g.i`)}) as k
    ) e`;
}
