/**
 * Whether an export is split into parts, and where (`sampleExport`): an export with
 * more candidates than the threshold gets boundaries, one with fewer gets none, also
 * when its qualifying membership rows outnumber its candidates (a profile in two of
 * its segments) and when the threshold is above the rows an index read counts before
 * sampling.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database';
import { planEveryProfile, type ExportPlan } from '../../src/runner/exportPlan';
import { sampleExport } from '../../src/runner/sql/splitExport';
import { storageTargets } from '../helpers/databases';

const TENANT = { orgId: 'SPLIT@AdobeOrg', sandboxName: 'prod' };
const PROFILES = 30_000;

const everyProfile = (): ExportPlan => planEveryProfile({ id: 1, ...TENANT });
const ofSegments = (...segmentIds: string[]): ExportPlan => ({
  ...everyProfile(),
  segments: segmentIds.map((segmentId) => ({ segmentId, segmentNs: 'ups', status: ['REALIZED', 'EXISTING'] })),
});

describe.each(storageTargets)('splitting an export on $name', (target) => {
  let database: Database;
  beforeAll(async () => {
    database = await target.open();
    const { orgId, sandboxName } = TENANT;
    await database.db.execute(sql`insert into profiles (org_id, sandbox_name, profile_id, identities, updated_at)
      select ${orgId}, ${sandboxName}, 'p' || lpad(i::text, 6, '0'), '[]'::jsonb, now() from generate_series(1, ${PROFILES}) i`);
    // 'small' and 'small-too' both hold the same 40 profiles; 'large' every profile.
    await database.db.execute(sql`insert into segment_memberships (org_id, sandbox_name, profile_id, segment_id, segment_ns, status, qualification_time)
      select ${orgId}, ${sandboxName}, 'p' || lpad(i::text, 6, '0'), s.id, 'ups', 'REALIZED', now()
      from generate_series(1, 40) i, (values ('small'), ('small-too')) s(id)
      union all
      select ${orgId}, ${sandboxName}, 'p' || lpad(i::text, 6, '0'), 'large', 'ups', 'EXISTING', now()
      from generate_series(1, ${PROFILES}) i`);
  }, 60_000);
  afterAll(() => database?.close());

  it('leaves an export at or under the threshold whole', async () => {
    expect(await sampleExport(database.db, ofSegments('small'), 40)).toEqual({ estimatedCandidates: 40, boundaries: [] });
    expect((await sampleExport(database.db, everyProfile(), PROFILES)).boundaries).toEqual([]);
  });

  it('counts a profile of two segments once: 80 membership rows, 40 candidates', async () => {
    const sample = await sampleExport(database.db, ofSegments('small', 'small-too'), 60);
    expect(sample.boundaries).toEqual([]);
    expect(sample.estimatedCandidates).toBe(40);
  });

  it('splits an export over the threshold into ranges of about as many candidates each', async () => {
    const sample = await sampleExport(database.db, ofSegments('small'), 10);
    expect(sample.boundaries.length).toBe(3);
    expect(sample.boundaries).toEqual([...sample.boundaries].sort());
    // The first range ends about a quarter of the way through the 40.
    expect(Number(sample.boundaries[0]!.slice(1))).toBeGreaterThanOrEqual(5);
    expect(Number(sample.boundaries[0]!.slice(1))).toBeLessThanOrEqual(15);
  });

  it('samples an export above the 20,000 rows it counts first', async () => {
    expect((await sampleExport(database.db, ofSegments('large'), 35_000)).boundaries).toEqual([]);
    const inTwo = await sampleExport(database.db, ofSegments('large'), 25_000);
    expect(inTwo.boundaries.length).toBe(1);
    expect(inTwo.estimatedCandidates).toBeGreaterThan(25_000);
    expect((await sampleExport(database.db, ofSegments('large'), 10_000)).boundaries.length).toBe(2);
  });
});
