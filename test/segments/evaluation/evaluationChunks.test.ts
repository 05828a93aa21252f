/**
 * An evaluation walked in chunks, on both databases: the chunk size changes
 * nothing, a chunk re-run at the same time (after a crash) changes nothing,
 * and a cancellation stops between chunks, leaving whole chunks behind that
 * a resumed or repeated run completes.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/database';
import { evaluateSegment, type EvaluateSegmentOptions } from '../../../src/segments/evaluation/evaluateSegment';
import type { ChunkResult } from '../../../src/segments/evaluation/evaluateSegmentChunk';
import type { Tenant } from '../../../src/tenant';
import { storageTargets } from '../../helpers/databases';
import { membershipsOf, seedFixture, setAttribute, T1, T2, UNTOUCHED_LINES, US_LOYAL } from './segmentFixture';

const SEGMENT = 'seg-us-loyal';
const member = (profileId: string, status: string, time: Date) => `prod ${profileId} ${SEGMENT} ups ${status} ${time.toISOString()}`;

/** After T1, then p03 dropping to 400 points, p06 moving to DE and p08 rising to 800: worked out by hand. */
const AT_T1 = ['p01', 'p03', 'p06'].map((id) => member(id, 'REALIZED', T1));
const AT_T2 = [
  member('p01', 'EXISTING', T1),
  member('p03', 'EXITED', T2),
  member('p06', 'EXITED', T2),
  member('p08', 'REALIZED', T2),
];
const T2_COUNTS = { realized: 1, existing: 1, exited: 2, profiles: 10 };

describe.each(storageTargets)('evaluateSegment in chunks on $name', (target) => {
  let database: Database;
  let tenants = 0;
  const freshTenant = async (): Promise<Tenant> => {
    const tenant = { orgId: `org-chunks-${target.name}-${++tenants}`, sandboxName: 'prod' };
    await seedFixture(database, tenant);
    return tenant;
  };
  const evaluate = (tenant: Tenant, now: Date, options: Partial<EvaluateSegmentOptions> = {}) =>
    evaluateSegment(database.db, { tenant, segmentId: SEGMENT, segmentNs: 'ups', expression: US_LOYAL, now, ...options });
  /** The evaluated segment's memberships in the tenant's sandbox. */
  const members = async (tenant: Tenant) =>
    (await membershipsOf(database, tenant.orgId, SEGMENT)).filter((line) => line.startsWith(`${tenant.sandboxName} `));
  const changeProfiles = async (tenant: Tenant) => {
    await setAttribute(database, tenant, 'p03', ['loyalty', 'points'], 400);
    await setAttribute(database, tenant, 'p06', ['homeAddress', 'countryCode'], 'DE');
    await setAttribute(database, tenant, 'p08', ['loyalty', 'points'], 800);
  };

  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(() => database?.close());

  it.each([1, 3, 9, 10, 11, 1000])('gives the same memberships and counts with chunks of %i profiles', async (chunkSize) => {
    const tenant = await freshTenant();
    const chunks: ChunkResult[] = [];
    expect(await evaluate(tenant, T1, { chunkSize, onChunk: (chunk) => void chunks.push(chunk) })).toEqual({
      realized: 3,
      existing: 0,
      exited: 0,
      profiles: 10,
    });
    expect(await members(tenant)).toEqual(AT_T1);
    // Ten profiles: a last chunk that happens to be full is followed by an empty one.
    expect(chunks).toHaveLength(Math.floor(10 / chunkSize) + 1);
    expect(chunks.map((chunk) => chunk.profiles).reduce((sum, n) => sum + n, 0)).toBe(10);
    expect(chunks.at(-1)!.lastProfileId).toBe(10 % chunkSize === 0 ? null : 'p10');

    await changeProfiles(tenant);
    expect(await evaluate(tenant, T2, { chunkSize })).toEqual(T2_COUNTS);
    expect(await members(tenant)).toEqual(AT_T2);
  });

  /** A profile written meanwhile, as an ingest would: US with 900 points, so it qualifies. */
  const addLoyalProfile = (tenant: Tenant, profileId: string) =>
    database.db.execute(sql`
      insert into profiles (org_id, sandbox_name, profile_id, identities, attributes, updated_at)
      values (${tenant.orgId}, ${tenant.sandboxName}, ${profileId}, '[]'::jsonb,
        ${JSON.stringify({ homeAddress: { countryCode: 'US' }, loyalty: { points: 900 } })}::text::jsonb, now())`);

  /** Evaluates in chunks of 3 and makes `change` once the first chunk is done. */
  const evaluateChangingAfterFirstChunk = async (tenant: Tenant, now: Date, change: () => Promise<unknown>) => {
    const chunks: ChunkResult[] = [];
    const counts = await evaluate(tenant, now, {
      chunkSize: 3,
      onChunk: async (chunk) => {
        chunks.push(chunk);
        if (chunks.length === 1) await change();
      },
    });
    return { counts, chunks };
  };

  it('evaluates profiles added during the evaluation, inside a range still to come and past the last bound', async () => {
    const tenant = await freshTenant();
    const { counts, chunks } = await evaluateChangingAfterFirstChunk(tenant, T1, async () => {
      await addLoyalProfile(tenant, 'p035');
      await addLoyalProfile(tenant, 'p11');
    });
    expect(counts).toEqual({ realized: 5, existing: 0, exited: 0, profiles: 12 });
    expect(await members(tenant)).toEqual(['p01', 'p03', 'p035', 'p06', 'p11'].map((id) => member(id, 'REALIZED', T1)));
    // Ranges to the sampled p03, p06 and p09; then a page takes p10 and p11, found past the last bound.
    expect(chunks.map((chunk) => [chunk.lastProfileId, chunk.profiles])).toEqual([
      ['p03', 3],
      ['p06', 4],
      ['p09', 3],
      ['p11', 2],
    ]);
  });

  it('goes on past a range whose profiles were all removed meanwhile, exiting their members', async () => {
    const tenant = await freshTenant();
    await evaluate(tenant, T1, { chunkSize: 3 });
    const { counts, chunks } = await evaluateChangingAfterFirstChunk(tenant, T2, () =>
      database.db.execute(sql`delete from profiles
        where org_id = ${tenant.orgId} and sandbox_name = ${tenant.sandboxName} and profile_id in ('p04', 'p05', 'p06')`),
    );
    // p06 was a member: gone with its profile, it exits; the range (p03, p06] holds no profile now.
    expect(chunks.map((chunk) => [chunk.lastProfileId, chunk.profiles])).toEqual([
      ['p03', 3],
      ['p06', 0],
      ['p09', 3],
      ['p10', 1],
    ]);
    expect(counts).toEqual({ realized: 0, existing: 2, exited: 1, profiles: 7 });
    expect(await members(tenant)).toEqual([member('p01', 'EXISTING', T1), member('p03', 'EXISTING', T1), member('p06', 'EXITED', T2)]);
  });

  // 3: ranges, then a short page; 5 and 10: ranges to p10, then an empty page; 1000: one short page.
  it.each([3, 5, 10, 1000])('exits the members past the last profile, whose profiles are gone (chunks of %i)', async (chunkSize) => {
    const tenant = await freshTenant();
    await evaluate(tenant, T1, { chunkSize });
    // Members of profiles removed since, after p10 in the key order; one had exited long before.
    const T0 = new Date(T1.getTime() - 86_400_000);
    for (const [profileId, status, time] of [['p98', 'EXISTING', T0], ['p99', 'REALIZED', T1], ['p999', 'EXITED', T0]] as const) {
      await database.db.execute(sql`
        insert into segment_memberships (org_id, sandbox_name, profile_id, segment_id, segment_ns, status, qualification_time)
        values (${tenant.orgId}, ${tenant.sandboxName}, ${profileId}, ${SEGMENT}, 'ups', ${status}, ${time.toISOString()}::timestamptz)`);
    }
    await changeProfiles(tenant);
    const exitedPastTheEnd = [member('p98', 'EXITED', T2), member('p99', 'EXITED', T2), member('p999', 'EXITED', T0)];
    expect(await evaluate(tenant, T2, { chunkSize })).toEqual({ ...T2_COUNTS, exited: T2_COUNTS.exited + 2 });
    expect(await members(tenant)).toEqual([...AT_T2, ...exitedPastTheEnd]);
    // Run again at T2: the same table, the same counts.
    expect(await evaluate(tenant, T2, { chunkSize })).toEqual({ ...T2_COUNTS, exited: T2_COUNTS.exited + 2 });
    expect(await members(tenant)).toEqual([...AT_T2, ...exitedPastTheEnd]);
  });

  it('leaves the same table when an evaluation is run again at the same time', async () => {
    const tenant = await freshTenant();
    await evaluate(tenant, T1, { chunkSize: 3 });
    expect(await evaluate(tenant, T1, { chunkSize: 3 })).toEqual({ realized: 3, existing: 0, exited: 0, profiles: 10 });
    expect(await members(tenant)).toEqual(AT_T1);

    await changeProfiles(tenant);
    await evaluate(tenant, T2, { chunkSize: 3 });
    const tableAfterOneRun = await membershipsOf(database, tenant.orgId);
    expect(await evaluate(tenant, T2, { chunkSize: 4 })).toEqual(T2_COUNTS);
    expect(await membershipsOf(database, tenant.orgId)).toEqual(tableAfterOneRun);
    expect(await members(tenant)).toEqual(AT_T2);
  });

  it('rewrites nothing when a chunk is re-run at the same time', async () => {
    const tenant = await freshTenant();
    await evaluate(tenant, T1);
    await changeProfiles(tenant);
    const written: number[] = [];
    await evaluate(tenant, T2, { onChunk: (chunk) => void written.push(chunk.written) });
    await evaluate(tenant, T2, { onChunk: (chunk) => void written.push(chunk.written) });
    // p01 turns EXISTING, p03 and p06 exit, p08 enters. The re-run finds nothing to do.
    expect(written).toEqual([4, 0]);
  });

  it('completes an evaluation that crashed after some chunks when it is run again from the start at the same time', async () => {
    const tenant = await freshTenant();
    await evaluate(tenant, T1, { chunkSize: 3 });
    await changeProfiles(tenant);
    const crash = new AbortController();
    let chunks = 0;
    const crashed = evaluate(tenant, T2, { chunkSize: 3, signal: crash.signal, onChunk: () => void (++chunks === 2 && crash.abort(new Error('crash'))) });
    await expect(crashed).rejects.toThrow('crash');
    // p01…p06 were evaluated: p03 and p06 have exited at T2, p08 is not realized yet.
    expect(await members(tenant)).toEqual([member('p01', 'EXISTING', T1), member('p03', 'EXITED', T2), member('p06', 'EXITED', T2)]);

    expect(await evaluate(tenant, T2, { chunkSize: 3 })).toEqual(T2_COUNTS);
    expect(await members(tenant)).toEqual(AT_T2);
  });

  it('starts no chunk once cancelled, and resumes after the last chunk done', async () => {
    const tenant = await freshTenant();
    const cancel = new AbortController();
    const done: ChunkResult[] = [];
    const cancelled = evaluate(tenant, T1, {
      chunkSize: 3,
      signal: cancel.signal,
      onChunk: (chunk) => {
        done.push(chunk);
        cancel.abort();
      },
    });
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
    expect(done.map((chunk) => chunk.lastProfileId)).toEqual(['p03']);
    expect(await members(tenant)).toEqual([member('p01', 'REALIZED', T1), member('p03', 'REALIZED', T1)]);

    expect(await evaluate(tenant, T1, { chunkSize: 3, after: 'p03' })).toEqual({ realized: 1, existing: 0, exited: 0, profiles: 7 });
    expect(await members(tenant)).toEqual(AT_T1);
    expect((await membershipsOf(database, tenant.orgId)).filter((line) => !line.startsWith(`prod p0`) || !line.includes(SEGMENT))).toEqual(
      UNTOUCHED_LINES,
    );
  });

  it.each([2, 3])('gives the same memberships and counts with %i ranges at once, reported in key order', async (rangesAtOnce) => {
    const tenant = await freshTenant();
    const reported: Array<string | null> = [];
    const onChunk = (chunk: ChunkResult) => void reported.push(chunk.lastProfileId);
    expect(await evaluate(tenant, T1, { chunkSize: 3, rangesAtOnce, onChunk })).toEqual({ realized: 3, existing: 0, exited: 0, profiles: 10 });
    expect(await members(tenant)).toEqual(AT_T1);
    // Ranges to the sampled p03, p06 and p09, whichever ends first; then the last page, alone.
    expect(reported).toEqual(['p03', 'p06', 'p09', 'p10']);

    await changeProfiles(tenant);
    expect(await evaluate(tenant, T2, { chunkSize: 3, rangesAtOnce })).toEqual(T2_COUNTS);
    expect(await members(tenant)).toEqual(AT_T2);
  });

  it('resumes after the last range reported when a chunk ends the walk with ranges running', async () => {
    const tenant = await freshTenant();
    const stop = new Error('stop');
    const reported: Array<string | null> = [];
    const stopped = evaluate(tenant, T1, {
      chunkSize: 3,
      rangesAtOnce: 2,
      onChunk: (chunk) => {
        reported.push(chunk.lastProfileId);
        throw stop;
      },
    });
    await expect(stopped).rejects.toBe(stop);
    expect(reported).toEqual(['p03']);
    // The range to p06 had started beside the first: it is done by the time the walk gives up (chunkWriteRace.test.ts).
    expect(await members(tenant)).toEqual(['p01', 'p03', 'p06'].map((id) => member(id, 'REALIZED', T1)));

    // Resumed after p03, the range to p06 runs again and finds its own realization.
    expect(await evaluate(tenant, T1, { chunkSize: 3, rangesAtOnce: 2, after: 'p03' })).toEqual({ realized: 1, existing: 0, exited: 0, profiles: 7 });
    expect(await members(tenant)).toEqual(AT_T1);
  });

  it('refuses a rangesAtOnce that is not a positive integer', async () => {
    const tenant = await freshTenant();
    await expect(evaluate(tenant, T1, { rangesAtOnce: 0 })).rejects.toThrow(RangeError);
    expect(await members(tenant)).toEqual([]);
  });

  it('starts nothing when cancelled before the first chunk', async () => {
    const tenant = await freshTenant();
    await expect(evaluate(tenant, T1, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(await members(tenant)).toEqual([]);
  });
});
