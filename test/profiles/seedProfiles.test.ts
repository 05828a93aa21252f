import { and, asc, count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database';
import { experienceEvents, profiles, segmentMemberships } from '../../src/db/schema';
import { SEED_REFERENCE_TIME, seedProfiles, type SeedProgress } from '../../src/profiles/seedProfiles';
import type { Tenant } from '../../src/tenant';
import { storageTargets } from '../helpers/databases';

const N = 2_000;
const FIRST: Tenant = { orgId: 'org-seed-a', sandboxName: 'prod' };
const SECOND: Tenant = { orgId: 'org-seed-b', sandboxName: 'dev' };
const NINETY_DAYS_MS = 90 * 24 * 60 * 60 * 1000;

describe.each(storageTargets)('seedProfiles on $name', (target) => {
  let database: Database;
  const progress: SeedProgress[] = [];

  beforeAll(async () => {
    database = await target.open();
    await seedProfiles(database, FIRST, N, { chunkSize: 500, onProgress: (report) => progress.push(report) });
    await seedProfiles(database, SECOND, N);
  });
  afterAll(() => database?.close());

  const inTenant = <T extends typeof profiles | typeof segmentMemberships | typeof experienceEvents>(
    table: T,
    tenant: Tenant,
  ) => and(eq(table.orgId, tenant.orgId), eq(table.sandboxName, tenant.sandboxName));

  /** The tenant's whole store, without the tenant columns and the events' generated ids. */
  const documents = async (tenant: Tenant) => ({
    profiles: await database.db
      .select({
        profileId: profiles.profileId,
        identities: profiles.identities,
        attributes: profiles.attributes,
        updatedAt: profiles.updatedAt,
        hasProfileRecord: profiles.hasProfileRecord,
      })
      .from(profiles)
      .where(inTenant(profiles, tenant))
      .orderBy(asc(profiles.profileId)),
    memberships: await database.db
      .select({
        profileId: segmentMemberships.profileId,
        segmentId: segmentMemberships.segmentId,
        segmentNs: segmentMemberships.segmentNs,
        status: segmentMemberships.status,
        qualificationTime: segmentMemberships.qualificationTime,
      })
      .from(segmentMemberships)
      .where(inTenant(segmentMemberships, tenant))
      .orderBy(asc(segmentMemberships.profileId), asc(segmentMemberships.segmentId)),
    events: await database.db
      .select({ profileId: experienceEvents.profileId, ingestTime: experienceEvents.ingestTime, data: experienceEvents.data })
      .from(experienceEvents)
      .where(inTenant(experienceEvents, tenant))
      .orderBy(asc(experienceEvents.profileId), sql`${experienceEvents.data}->>'_id'`),
  });

  it('generates N profiles, about two memberships each and events on some, the same on every database', async () => {
    const store = await documents(FIRST);
    expect(store.profiles).toHaveLength(N);
    expect(store.profiles[0]!.profileId).toBe('p0000001');
    expect(store.profiles.at(-1)!.profileId).toBe('p0002000');
    // Pinned: a change to the generator (or a database hashing differently) shows here.
    expect(store.memberships).toHaveLength(3_810);
    expect(store.events).toHaveLength(1_445);
  });

  it('gives identical documents to two tenants seeded with the same N', async () => {
    expect(await documents(SECOND)).toEqual(await documents(FIRST));
  });

  it('spreads all three statuses over twenty ups segments in the 90 days before the reference time', async () => {
    const { memberships } = await documents(FIRST);
    expect(new Set(memberships.map((row) => row.status))).toEqual(new Set(['REALIZED', 'EXISTING', 'EXITED']));
    expect(new Set(memberships.map((row) => row.segmentId))).toEqual(
      new Set(Array.from({ length: 20 }, (_, i) => `seg-${String(i).padStart(2, '0')}`)),
    );
    expect(new Set(memberships.map((row) => row.segmentNs))).toEqual(new Set(['ups']));
    const reference = Date.parse(SEED_REFERENCE_TIME);
    const times = memberships.map((row) => row.qualificationTime.getTime());
    expect(Math.min(...times)).toBeGreaterThanOrEqual(reference - NINETY_DAYS_MS);
    expect(Math.max(...times)).toBeLessThanOrEqual(reference);
    expect(new Set(times.map((time) => Math.floor((reference - time) / (24 * 60 * 60 * 1000)))).size).toBeGreaterThan(80);
  });

  it('gives profiles some of the four identity namespaces, and attributes', async () => {
    const { profiles: stored } = await documents(FIRST);
    const withRecord = stored.filter((profile) => profile.hasProfileRecord);
    for (const namespace of ['email', 'ecid', 'crmId', 'phone']) {
      const having = withRecord.filter((profile) => profile.identities.some((identity) => identity.namespace === namespace));
      expect(having.length, namespace).toBeGreaterThan(0);
      if (namespace !== 'ecid') expect(having.length, namespace).toBeLessThan(withRecord.length);
    }
    expect(withRecord[0]!.attributes).toMatchObject({
      personalEmail: { address: expect.stringMatching(/@example\.com$/) },
      person: { name: { firstName: expect.any(String), lastName: expect.any(String) } },
      loyalty: { points: expect.any(Number) },
    });
  });

  it('includes empty profiles that have events but no attributes or memberships', async () => {
    const { profiles: stored, memberships, events } = await documents(FIRST);
    const empty = stored.filter((profile) => !profile.hasProfileRecord);
    expect(empty.length).toBeGreaterThan(N * 0.02);
    expect(empty.length).toBeLessThan(N * 0.1);
    const emptyIds = new Set(empty.map((profile) => profile.profileId));
    expect(empty.every((profile) => Object.keys(profile.attributes).length === 0)).toBe(true);
    expect(memberships.some((row) => emptyIds.has(row.profileId))).toBe(false);
    const withEvents = new Set(events.map((event) => event.profileId));
    expect([...emptyIds].every((id) => withEvents.has(id))).toBe(true);
    expect(withEvents.size).toBeLessThan(N / 2);
    expect(events[0]!.data).toMatchObject({ eventType: expect.any(String), timestamp: expect.any(String) });
  });

  it('reports progress after each chunk', () => {
    expect(progress).toEqual([500, 1_000, 1_500, 2_000].map((profiles) => ({ profiles, total: N })));
  });

  it("replaces the tenant's store when run again and leaves other tenants alone", async () => {
    const tenant: Tenant = { orgId: 'org-seed-rerun', sandboxName: 'prod' };
    await seedProfiles(database, tenant, 300);
    const summary = await seedProfiles(database, tenant, 100);
    expect(summary.profiles).toBe(100);
    const [profileCount] = await database.db.select({ n: count() }).from(profiles).where(inTenant(profiles, tenant));
    expect(profileCount!.n).toBe(100);
    const [memberships] = await database.db
      .select({ n: count() })
      .from(segmentMemberships)
      .where(and(inTenant(segmentMemberships, tenant), sql`${segmentMemberships.profileId} > 'p0000100'`));
    expect(memberships!.n).toBe(0);
    expect((await documents(FIRST)).profiles).toHaveLength(N);
  });
});
