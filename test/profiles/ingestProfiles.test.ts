import { and, asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { experienceEvents, profiles, segmentMemberships } from '../../src/db/schema';
import { profile } from '../fixtures/profileLines';
import { storageTargets } from '../helpers/databases';
import { expectBadInput } from '../helpers/expectations';
import { startTestServer, TENANT, type TestServer } from '../helpers/testServer';

const INGEST = /* GraphQL */ `
  mutation Ingest($profiles: [ProfileInput!]!) {
    ingestProfiles(profiles: $profiles) { upserted }
  }
`;

const ORG = TENANT['x-gw-ims-org-id'];

describe.each(storageTargets)('ingestProfiles on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target);
  });
  afterAll(() => api?.close());

  const storedProfiles = (orgId = ORG) =>
    api.database.db.select().from(profiles).where(eq(profiles.orgId, orgId)).orderBy(asc(profiles.profileId));
  const storedMemberships = (profileId: string) =>
    api.database.db
      .select()
      .from(segmentMemberships)
      .where(and(eq(segmentMemberships.orgId, ORG), eq(segmentMemberships.profileId, profileId)))
      .orderBy(asc(segmentMemberships.segmentId));
  const storedEvents = (profileId: string) =>
    api.database.db
      .select()
      .from(experienceEvents)
      .where(and(eq(experienceEvents.orgId, ORG), eq(experienceEvents.profileId, profileId)))
      .orderBy(asc(experienceEvents.ingestTime));

  it('stores profiles with their identities, attributes, memberships and events', async () => {
    const response = await api.graphql(INGEST, {
      profiles: [profile('p1'), profile('p2', { hasProfileRecord: false, attributes: null, segments: null })],
    });
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ ingestProfiles: { upserted: 2 } });

    const [p1, p2] = await storedProfiles();
    expect(p1).toMatchObject({
      sandboxName: 'prod',
      profileId: 'p1',
      identities: [
        { namespace: 'email', id: 'p1@example.com' },
        { namespace: 'ecid', id: 'ecid-p1' },
      ],
      attributes: { personalEmail: { address: 'p1@example.com' }, person: { name: { firstName: 'p1' } } },
      hasProfileRecord: true,
    });
    expect(p1!.updatedAt.toISOString()).toBe('2025-01-10T12:00:00.000Z');
    expect(p2).toMatchObject({ profileId: 'p2', attributes: {}, hasProfileRecord: false });

    const [membership] = await storedMemberships('p1');
    expect(membership).toMatchObject({ segmentId: 'seg-a', segmentNs: 'ups', status: 'REALIZED' });
    expect(membership!.qualificationTime.toISOString()).toBe('2025-01-09T00:00:00.000Z');
    expect(await storedMemberships('p2')).toEqual([]);
    expect((await storedEvents('p2')).map((event) => event.data)).toEqual([
      { eventType: 'web.webpagedetails.pageViews' },
    ]);
  });

  it('upserts by profileId: the new document replaces the old, given segments and events replace theirs', async () => {
    await api.graphql(INGEST, { profiles: [profile('u1')] });
    const response = await api.graphql(INGEST, {
      profiles: [
        profile('u1', {
          attributes: { loyalty: { tier: 'gold' } },
          updatedAt: '2026-11-01T00:00:00Z',
          segments: [
            { segmentId: 'seg-b', segmentNs: 'ups', status: 'EXITED', qualificationTime: '2026-10-30T00:00:00Z' },
          ],
          events: null,
        }),
      ],
    });
    expect(response.data).toEqual({ ingestProfiles: { upserted: 1 } });
    const stored = (await storedProfiles()).filter((row) => row.profileId === 'u1');
    expect(stored).toHaveLength(1);
    expect(stored[0]!.attributes).toEqual({ loyalty: { tier: 'gold' } });
    expect(stored[0]!.updatedAt.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect((await storedMemberships('u1')).map((row) => [row.segmentId, row.status])).toEqual([['seg-b', 'EXITED']]);
    // `events: null` keeps the events stored before.
    expect(await storedEvents('u1')).toHaveLength(1);
  });

  it('keeps each tenant’s profiles apart, even with the same profileId', async () => {
    const other = { 'x-gw-ims-org-id': 'ORG_PROFILES_B@AdobeOrg' };
    await api.graphql(INGEST, { profiles: [profile('shared')] });
    await api.graphql(INGEST, { profiles: [profile('shared', { attributes: { theirs: true } })] }, other);
    const mine = (await storedProfiles()).find((row) => row.profileId === 'shared');
    const theirs = await storedProfiles('ORG_PROFILES_B@AdobeOrg');
    expect(mine!.attributes).not.toHaveProperty('theirs');
    expect(theirs.map((row) => row.attributes)).toEqual([{ theirs: true }]);
  });

  it('accepts 1,000 profiles in one call', async () => {
    const batch = Array.from({ length: 1000 }, (_, i) => profile(`bulk-${String(i).padStart(4, '0')}`));
    const response = await api.graphql(INGEST, { profiles: batch });
    expect(response.data).toEqual({ ingestProfiles: { upserted: 1000 } });
    expect((await storedProfiles()).filter((row) => row.profileId.startsWith('bulk-'))).toHaveLength(1000);
  });

  it.each([
    [
      // Small profiles, so the call stays under the variables limit and meets the count rule.
      '1,001 profiles',
      () => Array.from({ length: 1001 }, (_, i) => profile(`n${i}`, { identities: [], segments: [], events: [], attributes: {} })),
      'profiles',
    ],
    ['an empty profileId', () => [profile('ok-1'), profile(' ')], 'profiles[1].profileId'],
    ['a profileId given twice', () => [profile('twice'), profile('twice')], 'profiles[1].profileId'],
    [
      'an identity without namespace',
      () => [profile('ok-2', { identities: [{ namespace: '', id: 'x' }] })],
      'profiles[0].identities[0].namespace',
    ],
    [
      'a segment given twice',
      () => [
        profile('ok-3', {
          segments: [
            { segmentId: 's', segmentNs: 'ups', status: 'REALIZED', qualificationTime: '2026-01-01T00:00:00Z' },
            { segmentId: 's', segmentNs: 'ups', status: 'EXITED', qualificationTime: '2026-01-02T00:00:00Z' },
          ],
        }),
      ],
      'profiles[0].segments[1].segmentId',
    ],
  ])('refuses %s and stores nothing of the call', async (_case, batch, field) => {
    const before = (await storedProfiles()).length;
    const response = await api.graphql(INGEST, { profiles: batch() });
    expectBadInput(response, field);
    expect((await storedProfiles()).length).toBe(before);
  });

  it('refuses a NUL character, which PostgreSQL cannot store, naming where it is', async () => {
    const response = await api.graphql(INGEST, {
      profiles: [profile('nul-1'), profile('nul-2', { events: [{ ingestTime: '2026-01-01T00:00:00Z', data: { bad: 'a\u0000b' } }] })],
    });
    expectBadInput(response, 'profiles[1].events[0].data.bad');
  });

  it.each([
    ['a NUL character in a profile id', () => [profile('ok'), profile('bad\u0000id')], 'profiles[1].profileId'],
    ['an unpaired surrogate in an attribute', () => [profile('lone', { attributes: { a: 'x\ud800' } })], 'profiles[0].attributes.a'],
    [
      'an unpaired surrogate in a segment id',
      () => [profile('lone-seg', { segments: [{ segmentId: 'seg\udc00', segmentNs: 'ups', status: 'REALIZED', qualificationTime: '2026-01-01T00:00:00Z' }] })],
      'profiles[0].segments[0].segmentId',
    ],
  ])('refuses %s as bad input, not a database error, and stores nothing', async (_case, batch, field) => {
    const before = (await storedProfiles()).length;
    const response = await api.graphql(INGEST, { profiles: batch() });
    expectBadInput(response, field);
    expect((await storedProfiles()).length).toBe(before);
  });

  it('refuses an attribute number too large to store (Infinity to JSON.parse, null to JSON.stringify)', async () => {
    const response = await api.graphql(`mutation {
      ingestProfiles(profiles: [{ profileId: "huge", identities: [], updatedAt: "2026-01-01T00:00:00Z", attributes: { n: 1e400 } }]) { upserted }
    }`);
    expectBadInput(response, 'profiles[0].attributes.n');
    expect((await storedProfiles()).map((row) => row.profileId)).not.toContain('huge');
  });

  it('rolls back the whole call when the database fails part way', async () => {
    const before = (await storedProfiles()).length;
    // Profiles are written first, events last: take the events table away so the last statement fails.
    await api.database.db.execute(sql`alter table experience_events rename to experience_events_away`);
    try {
      const response = await api.graphql(INGEST, { profiles: [profile('atomic-1'), profile('atomic-2')] });
      expect(response.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      await api.database.db.execute(sql`alter table experience_events_away rename to experience_events`);
    }
    expect((await storedProfiles()).length).toBe(before);
  });
});

describe.each(storageTargets)('statistics of a store filled by ingestProfiles calls on $name', (target) => {
  let api: TestServer;
  beforeAll(async () => {
    api = await startTestServer(target);
  });
  afterAll(() => api?.close());

  /** The planner's count of profiles: -1 until the table is first analyzed. */
  const plannedRows = async () => {
    const [row] = await api.database.db.execute<{ rows: number }>(sql`select reltuples::float8 as rows from pg_class where oid = 'profiles'::regclass`);
    return Number(row!.rows);
  };
  const call = (from: number, count: number) =>
    api.graphql(INGEST, { profiles: Array.from({ length: count }, (_, i) => profile(`stat-${from + i}`, { identities: [], segments: [], events: [] })) });

  it('analyzes the store once 1,000 profiles were upserted, as no autovacuum would', async () => {
    expect(await plannedRows()).toBe(-1);
    expect((await call(0, 600)).data).toEqual({ ingestProfiles: { upserted: 600 } });
    expect(await plannedRows()).toBe(-1);
    expect((await call(600, 600)).data).toEqual({ ingestProfiles: { upserted: 600 } });
    // In the background, after the call's answer.
    await expect.poll(plannedRows, { timeout: 10_000 }).toBe(1_200);
  });

  it('lets calls that upsert the same profiles in different orders run at once, none failing', async () => {
    const tenant = { 'x-gw-ims-org-id': `ORG_INGEST_ORDER_${target.name}@AdobeOrg`, 'x-sandbox-name': 'prod' };
    const ids = Array.from({ length: 300 }, (_, i) => `p-${String(i).padStart(3, '0')}`);
    // Two calls in key order and two against it, three times: without an order of their own, their
    // row locks cross and PostgreSQL ends one of each crossing pair as a deadlock.
    for (let round = 0; round < 3; round++) {
      const calls = [ids, [...ids].reverse(), ids, [...ids].reverse()].map((order, call) =>
        api.graphql(INGEST, { profiles: order.map((id) => profile(id, { attributes: { round, call } })) }, tenant),
      );
      for (const response of await Promise.all(calls)) {
        expect(response.errors).toBeUndefined();
        expect(response.data).toEqual({ ingestProfiles: { upserted: 300 } });
      }
    }
    const stored = await api.database.db.select().from(profiles).where(eq(profiles.orgId, tenant['x-gw-ims-org-id']));
    expect(stored).toHaveLength(300);
    // Each call is all or nothing: a profile holds one call's attributes, and its memberships are one call's too.
    for (const row of stored) expect(row.attributes).toMatchObject({ round: 2 });
  });
});

describe('ingestProfiles behind a row lock, on postgres', () => {
  let api: TestServer;
  beforeAll(async () => {
    api = await startTestServer(storageTargets.find((target) => target.name === 'postgres')!);
  });
  afterAll(() => api?.close());

  it('gives up after its lock timeout with SERVICE_UNAVAILABLE, holding no API connection for longer', async () => {
    const tenant = { 'x-gw-ims-org-id': 'ORG_INGEST_LOCKED@AdobeOrg', 'x-sandbox-name': 'prod' };
    expect((await api.graphql(INGEST, { profiles: [profile('locked')] }, tenant)).errors).toBeUndefined();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    // Another load of the same profile, holding its row for as long as it likes.
    const holding = api.database.db.transaction(async (tx) => {
      await tx.execute(sql`select 1 from profiles where org_id = ${tenant['x-gw-ims-org-id']} and profile_id = 'locked' for update`);
      locked();
      await released;
    });
    await isLocked;
    try {
      const refused = await api.graphql(INGEST, { profiles: [profile('locked', { attributes: { late: true } })] }, tenant);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfter: 1 });
    } finally {
      release();
      await holding;
    }
    const retried = await api.graphql(INGEST, { profiles: [profile('locked', { attributes: { late: true } })] }, tenant);
    expect(retried.data).toEqual({ ingestProfiles: { upserted: 1 } });
  });
});
