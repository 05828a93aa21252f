/**
 * The bounds an evaluation's key ranges end at (`sampleChunkBounds`): on a store
 * smaller than the sample, every profile id of the tenant after the start, in the
 * database's order, each standing for one profile; none of another sandbox or org.
 * On a larger one, the last id of each sampled page, each standing for the profiles
 * up to the next.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/database';
import { sampleChunkBounds } from '../../../src/segments/evaluation/chunkBounds';
import { storageTargets } from '../../helpers/databases';
import { seedFixture } from './segmentFixture';

const tenant = { orgId: 'org-bounds', sandboxName: 'prod' };
const ALL = ['p01', 'p02', 'p03', 'p04', 'p05', 'p06', 'p07', 'p08', 'p09', 'p10'];

describe.each(storageTargets)('sampleChunkBounds on $name', (target) => {
  let database: Database;
  beforeAll(async () => {
    database = await target.open();
    // The fixture writes the same ids into the sandbox `other` as well.
    await seedFixture(database, tenant);
  });
  afterAll(() => database?.close());

  it("samples every profile id of the tenant's sandbox on a small store, in order", async () => {
    expect(await sampleChunkBounds(database.db, tenant, null)).toEqual({ ids: ALL, profilesPerId: 1 });
  });

  it('starts after the checkpoint', async () => {
    expect(await sampleChunkBounds(database.db, tenant, 'p07')).toEqual({ ids: ['p08', 'p09', 'p10'], profilesPerId: 1 });
  });

  it('finds nothing for a tenant without profiles', async () => {
    expect(await sampleChunkBounds(database.db, { orgId: 'org-none', sandboxName: 'prod' }, null)).toEqual({ ids: [], profilesPerId: 1 });
  });

  it('takes the last id of each sampled page of a store larger than the sample', async () => {
    const big = { orgId: 'org-bounds-big', sandboxName: 'prod' };
    const profiles = 40_000;
    // About 400 bytes a row, uncompressed: some 2,000 pages, twice what the sample reads.
    await database.db.execute(sql`insert into profiles (org_id, sandbox_name, profile_id, identities, attributes, updated_at)
      select ${big.orgId}, ${big.sandboxName}, 'b' || lpad(i::text, 6, '0'), '[]'::jsonb,
        jsonb_build_object('note', md5(i::text) || md5((i + 1)::text) || md5((i + 2)::text) || md5((i + 3)::text)), now()
      from generate_series(1, ${profiles}) i`);
    const { ids, profilesPerId } = await sampleChunkBounds(database.db, big, 'b010000');
    // Block samples vary in size; about half the pages.
    expect(ids.length).toBeGreaterThan(200);
    expect(ids.length).toBeLessThan(profiles / 20);
    expect(ids).toEqual([...new Set(ids)].sort());
    expect(ids[0]! > 'b010000').toBe(true);
    // Each bound stands for about the profiles of one sampled page and the pages between.
    expect(profilesPerId * ids.length).toBeGreaterThan(20_000);
    expect(profilesPerId * ids.length).toBeLessThan(40_000);
    const [pages] = await database.db.execute<{ distinct_pages: number | string }>(sql`
      select count(distinct (ctid::text::point)[0]) as distinct_pages from profiles
      where org_id = ${big.orgId} and profile_id = any(${`{${ids.join(',')}}`}::text[])`);
    expect(Number(pages!.distinct_pages)).toBe(ids.length);
  });
});
