import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';

/**
 * Settles the profile store after a bulk load, as autovacuum would: fresh
 * statistics for the planner, and the visibility map that lets counts read
 * indexes alone. PGlite has no autovacuum daemon and a PostgreSQL may run
 * without one: a store loaded and never analyzed is planned as if it were empty.
 * Must run outside a transaction.
 */
export async function analyzeProfileStore(db: AppDatabase): Promise<void> {
  await db.execute(sql`vacuum (analyze) ${PROFILE_STORE_TABLES}`);
}

/** The tables of the profile store, as a list for VACUUM and ANALYZE. */
export const PROFILE_STORE_TABLES = sql.raw('profiles, segment_memberships, experience_events');

/**
 * `analyzeProfileStore` after a load has committed: its failure (a lock held
 * past a lock_timeout, a cancel) takes nothing back, so it is told rather than
 * thrown. Null when the store was settled, else why not.
 */
export async function analyzeAfterLoad(db: AppDatabase): Promise<string | null> {
  try {
    await analyzeProfileStore(db);
    return null;
  } catch (error: unknown) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    return cause instanceof Error ? cause.message : String(cause);
  }
}
