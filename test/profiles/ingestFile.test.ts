import { Readable } from 'node:stream';
import { and, asc, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database';
import { experienceEvents, profiles, segmentMemberships } from '../../src/db/schema';
import { ingestNdjson, ProfileLineError, type IngestOptions, type IngestProgress } from '../../src/profiles/ingestFile';
import { profileInputDecoder } from '../../src/schema/profileInputDecoder';
import type { Tenant } from '../../src/tenant';
import { ndjson, profile } from '../fixtures/profileLines';
import { storageTargets } from '../helpers/databases';

const TENANT: Tenant = { orgId: 'org-ingest', sandboxName: 'prod' };
const decodeProfile = profileInputDecoder();

/** A source that delivers `text` in small pieces, so lines straddle chunks as they do in a file. */
const chunked = (text: string, size = 7) =>
  Readable.from(Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size)));

describe.each(storageTargets)('ingestNdjson on $name', (target) => {
  let database: Database;
  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(() => database?.close());

  const stored = (tenant: Tenant = TENANT) =>
    database.db
      .select()
      .from(profiles)
      .where(and(eq(profiles.orgId, tenant.orgId), eq(profiles.sandboxName, tenant.sandboxName)))
      .orderBy(asc(profiles.profileId));
  const memberships = (profileId: string) =>
    database.db
      .select()
      .from(segmentMemberships)
      .where(and(eq(segmentMemberships.orgId, TENANT.orgId), eq(segmentMemberships.profileId, profileId)))
      .orderBy(asc(segmentMemberships.segmentId));
  const events = (profileId: string) =>
    database.db
      .select()
      .from(experienceEvents)
      .where(and(eq(experienceEvents.orgId, TENANT.orgId), eq(experienceEvents.profileId, profileId)))
      .orderBy(asc(experienceEvents.ingestTime));
  const rowCount = async (tenant: Tenant) => (await stored(tenant)).length;
  const ingest = (text: string, tenant: Tenant = TENANT, options: Omit<IngestOptions, 'decodeProfile'> = {}) =>
    ingestNdjson(database, tenant, chunked(text), { decodeProfile, ...options });
  const failureOf = async (text: string, tenant: Tenant): Promise<ProfileLineError> => {
    const error = await ingest(text, tenant).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ProfileLineError);
    return error as ProfileLineError;
  };

  it('stores every profile of a file with its identities, attributes, memberships and events', async () => {
    const summary = await ingest(
      ndjson(profile('p1'), profile('p2', { hasProfileRecord: false, attributes: null, segments: null })),
    );
    expect(summary).toMatchObject({ profiles: 2, lines: 2 });

    const [p1, p2] = await stored();
    expect(p1).toMatchObject({
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
    const [membership] = await memberships('p1');
    expect(membership).toMatchObject({ segmentId: 'seg-a', segmentNs: 'ups', status: 'REALIZED' });
    expect(membership!.qualificationTime.toISOString()).toBe('2025-01-09T00:00:00.000Z');
    expect(await memberships('p2')).toEqual([]);
    expect((await events('p2')).map((event) => event.data)).toEqual([{ eventType: 'web.webpagedetails.pageViews' }]);
  });

  it('replaces a stored profile, and its memberships and events only where the line gives them', async () => {
    const tenant = { ...TENANT, orgId: 'org-replace' };
    await ingest(ndjson(profile('p1'), profile('p2')), tenant);
    const replacement = profile('p1', {
      attributes: { loyalty: { points: 7 } },
      segments: [{ segmentId: 'seg-b', segmentNs: 'ups', status: 'EXITED', qualificationTime: '2025-01-11T00:00:00Z' }],
      events: [],
    });
    await ingest(ndjson(replacement, profile('p2', { segments: null, events: null, updatedAt: '2025-02-01T00:00:00Z' })), tenant);

    const [p1, p2] = await stored(tenant);
    expect(p1!.attributes).toEqual({ loyalty: { points: 7 } });
    expect(p2!.updatedAt.toISOString()).toBe('2025-02-01T00:00:00.000Z');
    const segmentsOf = async (profileId: string) =>
      (
        await database.db
          .select({ segmentId: segmentMemberships.segmentId })
          .from(segmentMemberships)
          .where(and(eq(segmentMemberships.orgId, tenant.orgId), eq(segmentMemberships.profileId, profileId)))
      ).map((row) => row.segmentId);
    const eventsOf = (profileId: string) =>
      database.db
        .select()
        .from(experienceEvents)
        .where(and(eq(experienceEvents.orgId, tenant.orgId), eq(experienceEvents.profileId, profileId)));
    expect(await segmentsOf('p1')).toEqual(['seg-b']);
    expect(await eventsOf('p1')).toEqual([]);
    expect(await segmentsOf('p2')).toEqual(['seg-a']);
    expect(await eventsOf('p2')).toHaveLength(1);
  });

  it('keeps nothing of a file whose third line has a bad segment status, and names the line and the field', async () => {
    const tenant = { ...TENANT, orgId: 'org-bad-status' };
    const badSegment = { segmentId: 'seg-a', segmentNs: 'ups', status: 'GONE', qualificationTime: '2025-01-09T00:00:00Z' };
    const error = await failureOf(
      ndjson(profile('p1'), profile('p2'), profile('p3', { segments: [badSegment] }), profile('p4'), profile('p5')),
      tenant,
    );
    expect(error.message).toBe('line 3: segments[0].status: Value "GONE" does not exist in "SegmentStatus" enum.');
    expect(error).toMatchObject({ line: 3, field: 'segments[0].status' });
    expect(await rowCount(tenant)).toBe(0);
  });

  it.each([
    ['invalid JSON', '{"profileId": "p2",', 2, ''],
    ['a missing profileId', JSON.stringify({ ...profile('x'), profileId: undefined }), 2, 'profileId'],
    ['a blank profileId', JSON.stringify(profile('  ')), 2, 'profileId'],
    ['an updatedAt that is not RFC 3339', JSON.stringify(profile('p2', { updatedAt: '2025-01-10 12:00' })), 2, 'updatedAt'],
    ['an updatedAt in year 0', JSON.stringify(profile('p2', { updatedAt: '0000-06-01T00:00:00Z' })), 2, 'updatedAt'],
    [
      'an event without ingestTime',
      JSON.stringify(profile('p2', { events: [{ data: {} }] })),
      2,
      'events[0].ingestTime',
    ],
    ['a misspelt field', JSON.stringify(profile('p2', { segment: [] })), 2, 'segment'],
    ['attributes that are an array', JSON.stringify(profile('p2', { attributes: [] })), 2, 'attributes'],
    ['a NUL character in an attribute', JSON.stringify(profile('p2', { attributes: { a: { b: 'x\u0000' } } })), 2, 'attributes.a.b'],
    // JSON.parse loses their digits: 9007199254740993 would name, and replace, profile …992.
    ['a profileId that is an integer past 2^53', JSON.stringify(profile('p2')).replace('"p2"', '9007199254740993'), 2, 'profileId'],
    // JSON.parse reads it as Infinity, which would be stored as null.
    ['an attribute too large for a number', JSON.stringify(profile('p2', { attributes: { n: 0 } })).replace('"n":0', '"n":1e400'), 2, 'attributes.n'],
  ])('refuses a file with %s, naming the line and the field', async (_case, badLine, line, field) => {
    const tenant = { ...TENANT, orgId: `org-refused-${field || 'json'}` };
    const error = await failureOf(ndjson(profile('p1'), badLine, profile('p3')), tenant);
    expect(error).toMatchObject({ line, field });
    expect(error.message).toMatch(new RegExp(`^line ${line}: ${field ? field.replace(/[[\].]/g, '\\$&') : 'invalid JSON'}`));
    expect(await rowCount(tenant)).toBe(0);
  });

  it('names a misspelt field rather than the field it misses, with graphql-js\'s suggestion', async () => {
    const tenant = { ...TENANT, orgId: 'org-misspelt-id' };
    const { profileId, ...rest } = profile('p2');
    const error = await failureOf(ndjson(profile('p1'), JSON.stringify({ ...rest, profileid: profileId })), tenant);
    expect(error).toMatchObject({ line: 2, field: 'profileid' });
    expect(error.message).toContain('Did you mean "profileId"?');
  });

  it('quotes a refused value bounded and without control characters', async () => {
    const tenant = { ...TENANT, orgId: 'org-long-value' };
    const error = await failureOf(ndjson(profile('p1', { updatedAt: `\u001b[31m${'9'.repeat(100_000)}` })), tenant);
    expect(error).toMatchObject({ line: 1, field: 'updatedAt' });
    expect(error.message.length).toBeLessThanOrEqual('line 1: '.length + 400);
    expect(error.message).not.toContain('\u001b');
    expect(error.message).toContain('\\u001b');
  });

  it('names an unknown field printable and bounded, whatever its key holds', async () => {
    const tenant = { ...TENANT, orgId: 'org-hostile-key' };
    const key = `\u001b[2J${'k'.repeat(100_000)}`;
    const error = await failureOf(ndjson({ ...profile('p1'), [key]: 1 }), tenant);
    expect(error.line).toBe(1);
    expect(error.field.startsWith('\\u001b[2Jkkk')).toBe(true);
    expect(error.field.length).toBeLessThanOrEqual(200);
    expect(error.message).not.toContain('\u001b');
    expect(error.message.length).toBeLessThanOrEqual('line 1: '.length + 400);
  });

  it('reads a single identity given for the list as a list of one, as the API reads a variable', async () => {
    const tenant = { ...TENANT, orgId: 'org-single-identity' };
    await ingest(ndjson(profile('p1', { identities: { namespace: 'email', id: 'one@example.com' } })), tenant);
    expect((await stored(tenant)).map((row) => row.identities)).toEqual([[{ namespace: 'email', id: 'one@example.com' }]]);
  });

  it('refuses a profileId given on two lines, naming both', async () => {
    const tenant = { ...TENANT, orgId: 'org-repeated' };
    const error = await failureOf(ndjson(profile('p1'), profile('p2'), profile('p3'), profile('p2')), tenant);
    expect(error.message).toBe('line 4: profileId "p2" is already given on line 2');
    expect(await rowCount(tenant)).toBe(0);
  });

  it('skips blank lines and accepts CRLF line ends and a byte order mark', async () => {
    const tenant = { ...TENANT, orgId: 'org-crlf' };
    const text = '\uFEFF' + ndjson(profile('p1'), '', profile('p2')).replaceAll('\n', '\r\n');
    expect(await ingest(text, tenant)).toMatchObject({ profiles: 2, lines: 3 });
    expect((await stored(tenant)).map((row) => row.profileId)).toEqual(['p1', 'p2']);
  });

  it('keeps text that COPY escapes (backslashes, tabs, newlines) intact', async () => {
    const tenant = { ...TENANT, orgId: 'org-escapes' };
    const tricky = 'a\\b\tc\nd\re "q" \\N ü 😀';
    await ingest(ndjson(profile(`p\t${tricky}`, { attributes: { note: tricky }, identities: [{ namespace: 'crmId', id: tricky }] })), tenant);
    const [row] = await stored(tenant);
    expect(row).toMatchObject({ profileId: `p\t${tricky}`, attributes: { note: tricky }, identities: [{ namespace: 'crmId', id: tricky }] });
  });

  it('streams a file larger than one batch and reports progress as it reads', async () => {
    const tenant = { ...TENANT, orgId: 'org-large' };
    const lines = Array.from({ length: 5_000 }, (_, i) => profile(`p${String(i).padStart(5, '0')}`));
    const text = ndjson(...lines);
    const progress: IngestProgress[] = [];
    const summary = await ingestNdjson(database, tenant, chunked(text, 64 * 1024), {
      decodeProfile,
      onProgress: (report) => progress.push(report),
    });
    expect(summary).toEqual({ profiles: 5_000, lines: 5_000, bytesRead: Buffer.byteLength(text), analyzeFailure: null });
    expect(await rowCount(tenant)).toBe(5_000);
    const [memberships] = await database.db
      .select({ n: count() })
      .from(segmentMemberships)
      .where(eq(segmentMemberships.orgId, tenant.orgId));
    expect(memberships!.n).toBe(5_000);
    const reading = progress.filter((report) => report.phase === 'reading');
    expect(reading.length).toBeGreaterThan(10);
    expect(reading.map((report) => report.bytesRead)).toEqual([...reading.map((report) => report.bytesRead)].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({ phase: 'merging', profiles: 5_000 });
  });
});
