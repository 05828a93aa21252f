/**
 * How much of a table a block sample (`tablesample system (percent)`) must take
 * to read about `pages` of its pages, wherever they lie: the size of the sample,
 * not of the table, sets its cost. A table of at most `pages` pages is read whole
 * (100).
 */
import { sql } from 'drizzle-orm';
import type { AppDatabase } from './database';

/** Pages a sample reads by default: a few milliseconds on either database, ~20,000 profiles. */
export const SAMPLE_PAGES = 1_000;

export async function samplePercent(db: AppDatabase, table: 'profiles' | 'segment_memberships', pages = SAMPLE_PAGES): Promise<number> {
  const [size] = await db.execute<{ pages: number | string }>(
    sql`select pg_relation_size(${table}::regclass) / current_setting('block_size')::int as pages`,
  );
  return Math.min(100, (100 * pages) / Math.max(1, Number(size?.pages ?? 0)));
}
