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
