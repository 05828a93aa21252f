/**
 * Where an evaluation's chunks end: profile ids from a block sample of the tenant's
 * profiles, so each chunk can be a key range (read in the heap's order) instead of a
 * keyset page (one index probe a profile). Reading a whole store by keyset pages cost
 * PGlite about twice a sequential scan where the profiles outgrow its page cache.
 */
import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { samplePercent } from '../../db/samplePercent';
import type { Tenant } from '../../tenant';

export interface ChunkBounds {
  /** Profile ids after the start, in the database's order (distinct): the ends ranges may have. */
  ids: string[];
  /** About how many of the tenant's profiles lie between one bound and the next (1: every profile is a bound). */
  profilesPerId: number;
}

/** Samples the profile ids of `tenant` after `after` (null: all). */
export async function sampleChunkBounds(db: AppDatabase, tenant: Tenant, after: string | null): Promise<ChunkBounds> {
  // A store of at most the sample's pages is read whole, and every id is a bound.
  const percent = await samplePercent(db, 'profiles');
  // Every k-th sampled id in the key order, k the tenant's rows a sampled page: whether the
  // heap keeps the key order (a page's ids side by side, as after a bulk load) or not (ids
  // spread over the key space, as after ingests), the bounds then stand for about as many
  // profiles each. A store read whole needs no spacing. Sorted and numbered by the
  // database, whose collation orders the keys; JavaScript's order may differ.
  const [row] = await db.execute<{ ids: string[] | null; profiles: number | string; stride: number | string }>(sql`
    with sample as materialized (
      select p.profile_id, (p.ctid::text::point)[0] as page
      from profiles p tablesample system (${percent})
      where p.org_id = ${tenant.orgId} and p.sandbox_name = ${tenant.sandboxName} and p.profile_id > ${after ?? ''}
    ),
    spacing as (
      select count(*) as profiles,
        ${percent >= 100 ? sql`1` : sql`greatest(1, round(count(*)::numeric / greatest(1, count(distinct page))))::int`} as stride
      from sample
    )
    select profiles, stride, array(
      select profile_id from (select profile_id, row_number() over (order by profile_id) as n from sample) numbered
      where n % stride = 0 order by profile_id
    ) as ids
    from spacing`);
  const ids = row?.ids ?? [];
  const stride = Number(row?.stride ?? 1);
  return { ids, profilesPerId: percent >= 100 ? 1 : (stride * 100) / percent };
}
