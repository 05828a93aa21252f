/**
 * PQL over experience events (`xEvent`), evaluated on both databases against
 * sets worked out by hand. Conditions read each event's own `data` (its
 * `timestamp`, never its ingest time); profiles without events count zero.
 * Evaluation time: 2024-06-15T12:00:00Z, a Saturday.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/database';
import { compileSegmentPredicate } from '../../../src/segments/pql/compileSegmentPredicate';
import { storageTargets } from '../../helpers/databases';

const NOW = new Date('2024-06-15T12:00:00Z');
const TENANT = { orgId: 'org-pql-events', sandboxName: 'prod' };
const OTHER_TENANT = { orgId: 'org-pql-other', sandboxName: 'prod' };
// Ingest times far from the events' own timestamps: a window that read them would match nothing.
const LONG_AGO = '2024-01-01T00:00:00Z';

const PURCHASE = 'commerce.purchases';
const PAGE_VIEW = 'web.webpagedetails.pageViews';
const purchase = (timestamp: string, priceTotal?: unknown, items?: { SKU: string }[]) => ({
  eventType: PURCHASE,
  timestamp,
  ...(priceTotal === undefined ? {} : { commerce: { order: { priceTotal } } }),
  ...(items ? { productListItems: items } : {}),
});

const TIERS: Record<string, string> = { e01: 'gold', e02: 'gold', e03: 'gold', e04: 'silver', e05: 'silver', e06: 'gold', e07: 'silver', e08: 'gold' };

const EVENTS: { profileId: string; data: Record<string, unknown>; ingestTime?: string }[] = [
  { profileId: 'e01', data: purchase('2024-06-14T10:00:00Z', 50, [{ SKU: 'PS' }]) },
  { profileId: 'e01', data: purchase('2024-06-10T10:00:00Z', 70) },
  { profileId: 'e01', data: { eventType: PAGE_VIEW, timestamp: '2024-06-15T09:00:00Z' } },
  // An old event ingested recently: only its own timestamp counts.
  { profileId: 'e02', data: purchase('2024-06-01T10:00:00Z', 40), ingestTime: '2024-06-15T11:00:00Z' },
  { profileId: 'e02', data: purchase('2024-06-13T10:00:00Z', 20) },
  { profileId: 'e04', data: { eventType: PAGE_VIEW, timestamp: '2024-06-14T10:00:00Z' } },
  { profileId: 'e04', data: { eventType: PAGE_VIEW, timestamp: '2024-06-13T10:00:00Z' } },
  { profileId: 'e04', data: { eventType: PAGE_VIEW, timestamp: '2024-06-12T10:00:00Z' } },
  // A timestamp that is no timestamp, and a price stored as a string.
  { profileId: 'e05', data: purchase('yesterday', 25) },
  { profileId: 'e05', data: purchase('2024-06-11T00:00:00Z', '30') },
  { profileId: 'e06', data: purchase('2024-06-14T10:00:00Z', 200, [{ SKU: 'XB' }, { SKU: 'PS' }]) },
  { profileId: 'e06', data: purchase('2024-06-13T10:00:00Z', 10) },
  { profileId: 'e06', data: purchase('2024-06-12T10:00:00Z', 5) },
  { profileId: 'e08', data: { eventType: 'commerce.productViews', timestamp: '2024-06-15T11:30:00Z' } },
];

const CASES: [expression: string, expected: string[]][] = [
  [`xEvent[eventType = "${PURCHASE}" and timestamp occurs < 7 days before now].count() >= 2`, ['e01', 'e06']],
  [`xEvent[eventType = "${PURCHASE}"].count() <= 1`, ['e03', 'e04', 'e07', 'e08']],
  [`xEvent[eventType = "${PURCHASE}"].count() = 0`, ['e03', 'e04', 'e07', 'e08']],
  [`xEvent[eventType = "${PURCHASE}"].count() > 0`, ['e01', 'e02', 'e05', 'e06']],
  [`xEvent[eventType = "${PURCHASE}"]`, ['e01', 'e02', 'e05', 'e06']],
  [`not xEvent[eventType = "${PURCHASE}"]`, ['e03', 'e04', 'e07', 'e08']],
  ['xEvent.count() > 2', ['e01', 'e04', 'e06']],
  ['xEvent[timestamp occurs < 7 days before now].count() = 0 and person.tier = "gold"', ['e03']],
  [
    `person.tier = "gold" and xEvent[eventType = "${PURCHASE}"].count() >= 2 or person.tier = "silver" and xEvent.count() >= 3`,
    ['e01', 'e02', 'e04', 'e06'],
  ],
  ['xEvent[productListItems[SKU = "PS"]]', ['e01', 'e06']],
  [`xEvent[eventType = "${PURCHASE}"].sum(commerce.order.priceTotal) > 100`, ['e01', 'e06']],
  [`xEvent[eventType = "${PURCHASE}"].min(commerce.order.priceTotal) < 10`, ['e06']],
  ['xEvent[timestamp occurs before date(2024, 6, 10)]', ['e02']],
  ['xEvent[eventType = "commerce.productViews" and timestamp occurs < 1 hour before now]', ['e08']],
  [`xEvent[eventType = "${PURCHASE}"].count() >= 1 and not xEvent[eventType = "${PAGE_VIEW}"]`, ['e02', 'e05', 'e06']],
  ['xEvent[timestamp.isNotNull() and timestamp occurs this week].count() >= 3', ['e01', 'e04', 'e06']],
];

describe.each(storageTargets)('PQL over experience events on $name', (target) => {
  let database: Database;

  beforeAll(async () => {
    database = await target.open();
    for (const tenant of [TENANT, OTHER_TENANT]) {
      for (const [id, tier] of Object.entries(TIERS)) {
        await database.db.execute(sql`
          insert into profiles (org_id, sandbox_name, profile_id, identities, attributes, updated_at)
          values (${tenant.orgId}, ${tenant.sandboxName}, ${id}, '[]'::jsonb,
            ${JSON.stringify({ person: { tier } })}::text::jsonb, ${NOW.toISOString()}::timestamptz)`);
      }
    }
    const insertEvent = (tenant: typeof TENANT, profileId: string, data: unknown, ingestTime = LONG_AGO) =>
      database.db.execute(sql`
        insert into experience_events (org_id, sandbox_name, profile_id, ingest_time, data)
        values (${tenant.orgId}, ${tenant.sandboxName}, ${profileId}, ${ingestTime}::timestamptz, ${JSON.stringify(data)}::text::jsonb)`);
    for (const { profileId, data, ingestTime } of EVENTS) await insertEvent(TENANT, profileId, data, ingestTime);
    // Another tenant's events of profiles that have none here must not count.
    for (const profileId of ['e03', 'e03', 'e03', 'e07']) {
      await insertEvent(OTHER_TENANT, profileId, purchase('2024-06-14T10:00:00Z', 500, [{ SKU: 'PS' }]));
    }
  });
  afterAll(() => database?.close());

  const matching = async (expression: string, tenant = TENANT): Promise<string[]> => {
    const { predicate } = compileSegmentPredicate(expression, { profile: sql.raw('p'), now: NOW });
    const rows = await database.db.execute<{ profile_id: string }>(sql`
      select profile_id from profiles p
      where p.org_id = ${tenant.orgId} and p.sandbox_name = ${tenant.sandboxName} and ${predicate}
      order by profile_id`);
    return rows.map((row) => row.profile_id);
  };

  it.each(CASES)('%s matches %j', async (expression, expected) => {
    expect(await matching(expression)).toEqual(expected);
  });

  it('counts only the events of the profile in its own tenant', async () => {
    expect(await matching(`xEvent[eventType = "${PURCHASE}"].count() >= 3`, OTHER_TENANT)).toEqual(['e03']);
    expect(await matching('xEvent[productListItems[SKU = "PS"]]', OTHER_TENANT)).toEqual(['e03', 'e07']);
  });

  it('says whether the predicate reads experience events', () => {
    const compile = (expression: string) => compileSegmentPredicate(expression, { profile: sql.raw('p'), now: NOW });
    expect(compile('xEvent.count() > 1').usesEvents).toBe(true);
    expect(compile('person.tier = "gold"').usesEvents).toBe(false);
  });
});
