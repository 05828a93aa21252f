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

  /** Writes `count` profiles of about 400 bytes each (uncompressed), in id order or shuffled. */
  const fill = (orgId: string, count: number, order: 'in id order' | 'shuffled') =>
    database.db.execute(sql`insert into profiles (org_id, sandbox_name, profile_id, identities, attributes, updated_at)
      select ${orgId}, 'prod', 'b' || lpad(i::text, 6, '0'), '[]'::jsonb,
        jsonb_build_object('note', md5(i::text) || md5((i + 1)::text) || md5((i + 2)::text) || md5((i + 3)::text)), now()
      from generate_series(1, ${count}) i
      order by ${order === 'shuffled' ? sql`random()` : sql`i`}`);

  // 40,000 profiles are some 2,000 pages, twice what the sample reads.
  it.each(['in id order', 'shuffled'] as const)(
    'spaces the bounds of a store larger than the sample evenly, its rows written %s',
    async (order) => {
      const orgId = `org-bounds-${order.replace(/ /g, '-')}`;
      await fill(orgId, 40_000, order);
      const { ids, profilesPerId } = await sampleChunkBounds(database.db, { orgId, sandboxName: 'prod' }, 'b010000');
      expect(ids).toEqual([...new Set(ids)].sort());
      expect(ids[0]! > 'b010000').toBe(true);
      // The bounds and what each stands for cover the 30,000 profiles after the start.
      expect(profilesPerId * ids.length).toBeGreaterThan(20_000);
      expect(profilesPerId * ids.length).toBeLessThan(40_000);
      // Ranges between them hold about profilesPerId each. A block sample leaves gaps of a
      // few pages now and then (the widest of ~1,000 is several times the mean), never one
      // of most of the store. (Ids are `b` and six digits: the rank is the number.)
      const ranks = [10_000, ...ids.map((id) => Number(id.slice(1)))];
      const sizes = ranks.slice(1).map((rank, i) => rank - ranks[i]!);
      expect(Math.max(...sizes)).toBeLessThan(10 * profilesPerId);
      expect(ranks.at(-1)!).toBeGreaterThan(38_000);
    },
  );
});
