/**
 * Statistics of the profile store kept fresh as `ingestProfiles` calls fill it. PGlite has
 * no autovacuum (and a PostgreSQL may run without one): a store loaded by many small calls
 * was never analyzed, and planned as if it were empty (a 20,000-profile export took 30 s
 * on PGlite before one ANALYZE and 0.8 s after). The bulk loads analyze as they end
 * (analyzeProfileStore.ts); here, once the profiles upserted since the last look pass a
 * tenth of the store (and at least 1,000), the store is analyzed in the background, one
 * ANALYZE at a time: its sample is bounded, unlike a VACUUM's pass over every page.
 */
import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { inBackground } from '../db/backgroundWork';
import { describeError, type Logger } from '../logger';
import { PROFILE_STORE_TABLES } from './analyzeProfileStore';

/** Upserts that make a store of any size worth analyzing again. */
const MIN_CHANGED = 1_000;

export interface StoreStatistics {
  /** Counts profiles a call upserted, and analyzes the store when enough have changed. */
  upserted(profiles: number): void;
  /** Waits for an ANALYZE under way (a server that closes its database after). */
  settled(): Promise<void>;
}

export function storeStatistics(db: AppDatabase, logger: Logger): StoreStatistics {
  let changed = 0;
  let storeRows = 0;
  let analyzing: Promise<void> | undefined;
  const analyze = async () => {
    changed = 0;
    try {
      await inBackground(() => db.execute(sql`analyze ${PROFILE_STORE_TABLES}`));
      const [row] = await db.execute<{ rows: number }>(sql`select greatest(reltuples, 0)::float8 as rows from pg_class where oid = 'profiles'::regclass`);
      storeRows = Number(row?.rows ?? 0);
    } catch (error: unknown) {
      logger.error('Analyzing the profile store failed', { error: describeError(error) });
    } finally {
      analyzing = undefined;
    }
  };
  return {
    upserted(profiles) {
      changed += profiles;
      if (analyzing || changed < Math.max(MIN_CHANGED, storeRows / 10)) return;
      analyzing = analyze();
    },
    settled: async () => {
      await analyzing;
    },
  };
}
