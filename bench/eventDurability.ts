/**
 * The cost of durable events, on PGlite and PostgreSQL: job changes written
 * one statement (one transaction) at a time, as the API and the runner write
 * them — each job created, then cancelled — once with the outbox trigger and
 * once with it disabled, in the same run. Each change is an event, so the
 * figure is events/s written with their change vs changes/s without events.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../src/db/database';
import { createAndCancelJob, onEachDatabase } from './benchDatabases';

const TENANT = { orgId: 'BENCH_DURABLE@AdobeOrg', sandboxName: 'prod' };

export interface DurabilityFigures {
  database: string;
  jobs: number;
  'with events /s': number;
  'without /s': number;
  'with / without': string;
}

export function measureEventDurability(jobs: number): Promise<DurabilityFigures[]> {
  return onEachDatabase(async (name, database) => {
    const withEvents = await changesPerSecond(database, jobs);
    await database.db.execute(sql`alter table export_jobs disable trigger user`);
    const without = await changesPerSecond(database, jobs);
    await database.db.execute(sql`alter table export_jobs enable trigger user`);
    return {
      database: name,
      jobs,
      'with events /s': Math.round(withEvents),
      'without /s': Math.round(without),
      'with / without': (withEvents / without).toFixed(2),
    };
  });
}

/** Creates `jobs` jobs and cancels each, one statement at a time; answers changes a second. */
async function changesPerSecond(database: Database, jobs: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < jobs; i++) await createAndCancelJob(database.db, TENANT);
  return (2 * jobs) / ((performance.now() - started) / 1000);
}
