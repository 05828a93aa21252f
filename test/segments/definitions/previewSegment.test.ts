/** `previewSegment`: what an expression selects in the tenant's profile store, counted and sampled, read-only. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../../helpers/databases';
import { ingest, type ProfileSpec } from '../../helpers/exportFlow';
import { previewSegment } from '../../../src/segments/definitions/previewSegment';
import { previewSlots } from '../../../src/segments/definitions/previewSlots';
import { startTestServer, type TestServer } from '../../helpers/testServer';
import { freshTenant, PREVIEW_SEGMENT } from './segmentDefinitionApi';

// The example: a first name starting with "F1" (case-sensitive) in the US.
const EXAMPLE = 'person.name.firstName.startsWith("F1") and homeAddress.countryCode = "US"';

const UNBOUNDED = { limitSeconds: 3600, abandoned: new AbortController().signal, slots: previewSlots(100) };

const person = (profileId: string, firstName: string | null, countryCode: string | null): ProfileSpec => ({
  profileId,
  attributes: {
    ...(firstName === null ? {} : { person: { name: { firstName } } }),
    ...(countryCode === null ? {} : { homeAddress: { countryCode } }),
  },
});

const PROFILES: ProfileSpec[] = [
  person('p07', 'F1 Seven', 'US'),
  person('p01', 'F1', 'US'),
  person('p02', 'F1 Two', 'CA'),
  person('p03', 'f1 lower', 'US'),
  person('p04', 'F2', 'US'),
  person('p05', null, 'US'),
  person('p06', 'F1 Six', null),
  person('p10', 'F10', 'US'),
  { profileId: 'p08', attributes: { person: { name: { firstName: 7 } }, homeAddress: { countryCode: 'US' } } },
  {
    profileId: 'p09',
    identities: [{ namespace: 'ecid', id: '0042' }, { namespace: 'email', id: 'nine@example.com' }],
    attributes: { person: { name: { firstName: 'F1 Nine' } }, homeAddress: { countryCode: 'US' }, loyalty: { points: 9 } },
    events: [
      { ingestTime: '2026-10-01T00:00:00Z', data: { eventType: 'commerce.purchases', timestamp: '2026-09-30T00:00:00Z' } },
      { ingestTime: '2026-10-01T00:00:00Z', data: { eventType: 'commerce.purchases', timestamp: '2026-09-30T01:00:00Z' } },
    ],
  },
];

describe.each(storageTargets)('previewSegment on $name', (target) => {
  let api: TestServer;
  const tenant = freshTenant('PREVIEW');
  const other = freshTenant('PREVIEW');

  beforeAll(async () => {
    api = await startTestServer(target);
    await ingest(api, PROFILES, tenant);
    // Another tenant's profiles match too, and are never counted nor shown.
    await ingest(api, [person('p00', 'F1 Other', 'US'), person('p11', 'F1 Other', 'US')], other);
  });
  afterAll(() => api?.close());

  const preview = (expression: string, first?: number | null, headers = tenant) =>
    api.graphql(PREVIEW_SEGMENT, { expression, ...(first === undefined ? {} : { first }) }, headers);

  it("counts the tenant's matching profiles and all its profiles exactly", async () => {
    const response = await preview(EXAMPLE);
    expect(response.errors).toBeUndefined();
    expect(response.data!.previewSegment).toMatchObject({ matchingProfiles: 4, totalProfiles: 10 });
  });

  it('samples the matching profiles in profile-id order as the documents an export writes', async () => {
    const response = await preview(EXAMPLE);
    expect(response.data!.previewSegment.sample).toEqual([
      {
        profileId: 'p01',
        identities: [{ namespace: 'email', id: 'p01@example.com' }],
        person: { name: { firstName: 'F1' } },
        homeAddress: { countryCode: 'US' },
      },
      {
        profileId: 'p07',
        identities: [{ namespace: 'email', id: 'p07@example.com' }],
        person: { name: { firstName: 'F1 Seven' } },
        homeAddress: { countryCode: 'US' },
      },
      {
        profileId: 'p09',
        identities: [
          { namespace: 'ecid', id: '0042' },
          { namespace: 'email', id: 'nine@example.com' },
        ],
        person: { name: { firstName: 'F1 Nine' } },
        homeAddress: { countryCode: 'US' },
        loyalty: { points: 9 },
      },
      {
        profileId: 'p10',
        identities: [{ namespace: 'email', id: 'p10@example.com' }],
        person: { name: { firstName: 'F10' } },
        homeAddress: { countryCode: 'US' },
      },
    ]);
  });

  it('samples as many as `first` asks, 0 to 100, and refuses more', async () => {
    const ids = async (first: number | null) =>
      ((await preview(EXAMPLE, first)).data!.previewSegment.sample as { profileId: string }[]).map((doc) => doc.profileId);
    expect(await ids(2)).toEqual(['p01', 'p07']);
    expect(await ids(0)).toEqual([]);
    expect(await ids(100)).toEqual(['p01', 'p07', 'p09', 'p10']);
    // An explicit null is the default, 10.
    expect(await ids(null)).toEqual(['p01', 'p07', 'p09', 'p10']);
    for (const first of [101, -1]) {
      const response = await preview(EXAMPLE, first);
      expect(response.errors?.[0]?.extensions, String(first)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    }
  });

  it('reads events, attributes across types and case as the compiler does', async () => {
    const purchases = await preview('xEvent[eventType = "commerce.purchases"].count() >= 2', 10);
    expect(purchases.data!.previewSegment).toMatchObject({ matchingProfiles: 1, totalProfiles: 10 });
    expect(purchases.data!.previewSegment.sample.map((doc: any) => doc.profileId)).toEqual(['p09']);

    const caseless = await preview('person.name.firstName.startsWith("f1", false)', 10);
    expect(caseless.data!.previewSegment.matchingProfiles).toBe(7);

    const nobody = await preview('homeAddress.countryCode = "FR"');
    expect(nobody.data!.previewSegment).toEqual({ matchingProfiles: 0, totalProfiles: 10, sample: [] });
  });

  it("shows a tenant without profiles nothing, and another tenant only its own", async () => {
    const empty = await preview(EXAMPLE, 10, freshTenant('EMPTY'));
    expect(empty.data!.previewSegment).toEqual({ matchingProfiles: 0, totalProfiles: 0, sample: [] });
    const theirs = await preview(EXAMPLE, 10, other);
    expect(theirs.data!.previewSegment.matchingProfiles).toBe(2);
    expect(theirs.data!.previewSegment.sample.map((doc: any) => doc.profileId)).toEqual(['p00', 'p11']);
  });

  it('refuses a syntax error with its line, column and token, on the `expression` argument', async () => {
    const response = await preview('person.name.firstName.startsWith("F1") and\n  homeAddress.countryCode = ');
    expect(response.data).toBeNull();
    expect(response.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'expression',
      line: 2,
      column: 29,
      token: '',
    });
  });

  it('refuses an unsupported function, naming it', async () => {
    const response = await preview('orders.topN(price, 5).count() > 1');
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'expression', unsupported: 'topN' });
  });

  it('writes nothing: every statement it runs is a read', async () => {
    api.resetQueries();
    const response = await preview(EXAMPLE);
    expect(response.errors).toBeUndefined();
    expect(api.queries.length).toBeGreaterThan(0);
    for (const query of api.queries) {
      expect(query.trimStart().toLowerCase()).toMatch(/^(select|with)\b/);
      expect(query.toLowerCase()).not.toMatch(/\b(insert|update|delete|merge)\b/);
    }
  });

  it('walks the store in slices, one short statement each, with the answer of a single pass', async () => {
    const asTenant = { orgId: tenant['x-gw-ims-org-id']!, sandboxName: tenant['x-sandbox-name']! };
    const whole = previewSegment(api.database.db, asTenant, EXAMPLE, UNBOUNDED);
    const sliced = previewSegment(api.database.db, asTenant, EXAMPLE, UNBOUNDED, { max: 3, targetMs: 50, initial: 3 });
    api.resetQueries();
    expect(await sliced.counts()).toEqual({ matchingProfiles: 4, totalProfiles: 10 });
    // Ten profiles, three a slice: four statements, the last one short.
    // The preview's own counts: the runner's claims, polling meanwhile, count too.
    expect(api.queries.filter((query) => /count\(\*\) filter \(where matches\)/.test(query))).toHaveLength(4);
    expect(await sliced.counts()).toEqual(await whole.counts());
    for (const first of [1, 2, 3, 4, 10]) expect(await sliced.sample(first)).toEqual(await whole.sample(first));
  });

  it('stops walking past its time limit with TIME_LIMIT_EXCEEDED, and when its client has gone', async () => {
    const asTenant = { orgId: tenant['x-gw-ims-org-id']!, sandboxName: tenant['x-sandbox-name']! };
    const oneBySlice = { max: 1, targetMs: 50, initial: 1 };
    api.resetQueries();
    const late = previewSegment(api.database.db, asTenant, EXAMPLE, { ...UNBOUNDED, limitSeconds: 0 }, oneBySlice);
    await expect(late.counts()).rejects.toMatchObject({
      extensions: { code: 'TIME_LIMIT_EXCEEDED', limitSeconds: 0 },
      message: expect.stringMatching(/LIMIT_PREVIEW_SECONDS.*evaluateSegments/),
    });
    await expect(late.sample(3)).rejects.toMatchObject({ extensions: { code: 'TIME_LIMIT_EXCEEDED' } });
    const gone = new AbortController();
    const abandoned = previewSegment(api.database.db, asTenant, EXAMPLE, { ...UNBOUNDED, abandoned: gone.signal }, oneBySlice);
    const sampled = abandoned.sample(10);
    // Aborted while the first slice is read: the walk stops before the next.
    gone.abort();
    await expect(sampled).rejects.toMatchObject({ extensions: { code: 'CLIENT_CLOSED_REQUEST' } });
    const previewStatements = api.queries.filter((query) => /from slice where matches/.test(query));
    expect(previewStatements).toHaveLength(1);
  });

  it('counts once however many count fields a query selects', async () => {
    api.resetQueries();
    const response = await api.graphql(
      `query { a: previewSegment(expression: ${JSON.stringify(EXAMPLE)}) { matchingProfiles totalProfiles } }`,
      {},
      tenant,
    );
    expect(response.data!.a).toEqual({ matchingProfiles: 4, totalProfiles: 10 });
    expect(api.queries.filter((query) => /count\(\*\) filter \(where matches\)/.test(query))).toHaveLength(1);
  });

  it('runs at most LIMIT_PREVIEWS_AT_ONCE previews of one organisation at once, refusing the rest with RATE_LIMITED', async () => {
    const bounded = await startTestServer(target, {}, {}, { previewsAtOnce: 2 });
    try {
      await ingest(bounded, PROFILES, tenant);
      const aliased = (count: number) =>
        `query { ${Array.from({ length: count }, (_, i) => `p${i}: previewSegment(expression: ${JSON.stringify(EXAMPLE)}) { matchingProfiles sample(first: 2) }`).join(' ')} }`;
      const three = await bounded.graphql(aliased(3), {}, tenant);
      // Each preview's counts and sample share its one slot: the third preview is refused.
      expect(three.errors).toEqual([
        expect.objectContaining({
          message: 'At most 2 segment previews of one organisation run at a time; retry in 1 s',
          extensions: expect.objectContaining({ code: 'RATE_LIMITED', retryAfter: 1 }),
        }),
      ]);
      // The slots are free again once the previews have ended.
      const two = await bounded.graphql(aliased(2), {}, tenant);
      expect(two.errors).toBeUndefined();
      expect(two.data!.p1.matchingProfiles).toBe(4);
      expect(two.data!.p1.sample.map((profile: { profileId: string }) => profile.profileId)).toEqual(['p01', 'p07']);
    } finally {
      await bounded.close();
    }
  });
});
