/**
 * Where an evaluation's chunks end: profile ids from a block sample of the tenant's
 * profiles, so each chunk can be a key range (read in the heap's order) instead of a
 * keyset page (one index probe a profile). Reading a whole store by keyset pages cost
 * PGlite about twice a sequential scan where the profiles outgrow its page cache.
 */
import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import type { Tenant } from '../../tenant';

// Pages the sample reads, wherever they are in the table: a few milliseconds on either
// database. A store of up to that many pages is read whole, and every id is a bound.
const SAMPLE_PAGES = 1_000;

export interface ChunkBounds {
  /** Profile ids after the start, in the database's order (distinct): the ends ranges may have. */
  ids: string[];
  /** About how many of the tenant's profiles lie between one bound and the next (1: every profile is a bound). */
  profilesPerId: number;
}

/** Samples the profile ids of `tenant` after `after` (null: all). */
export async function sampleChunkBounds(db: AppDatabase, tenant: Tenant, after: string | null): Promise<ChunkBounds> {
  const [size] = await db.execute<{ pages: number | string }>(
    sql`select pg_relation_size('profiles'::regclass) / current_setting('block_size')::int as pages`,
  );
  const percent = Math.min(100, (100 * SAMPLE_PAGES) / Math.max(1, Number(size?.pages ?? 0)));
  // A sampled page's profiles lie side by side in the key order when the heap is in it (as
  // a bulk load leaves it), so its ids are no bounds apart: one bound a page, its last id.
  // A store read whole needs no such care. Sorted by the database, whose collation orders
  // the keys; JavaScript's order may differ.
  const whole = percent >= 100;
  const ids = whole
    ? sql`array(select profile_id from sample order by profile_id)`
    : sql`array(select max(profile_id) from sample group by page order by 1)`;
  const [row] = await db.execute<{ ids: string[] | null; profiles: number | string }>(sql`
    with sample as materialized (
      select p.profile_id, (p.ctid::text::point)[0] as page
      from profiles p tablesample system (${percent})
      where p.org_id = ${tenant.orgId} and p.sandbox_name = ${tenant.sandboxName} and p.profile_id > ${after ?? ''}
    )
    select (select count(*) from sample) as profiles, ${ids} as ids`);
  const bounds = row?.ids ?? [];
  const profiles = (Number(row?.profiles ?? 0) * 100) / percent;
  return { ids: bounds, profilesPerId: whole || bounds.length === 0 ? 1 : profiles / bounds.length };
}
