/**
 * The cost of durable events, on PGlite and PostgreSQL: job changes written
 * one statement (one transaction) at a time, as the API and the runner write
 * them — each job created, then cancelled — once with the outbox trigger and
 * once with it disabled, in the same run. Each change is an event, so the
 * figure is events/s written with their change vs changes/s without events.
 */
import { sql } from 'drizzle-orm';
import { createDb } from '../src/db/createDb';
import type { Database } from '../src/db/database';
import { createPostgresDatabase } from '../test/helpers/databases';

const TENANT = { orgId: 'BENCH_DURABLE@AdobeOrg', sandboxName: 'prod' };

export interface DurabilityFigures {
  database: string;
  jobs: number;
  'with events /s': number;
  'without /s': number;
  'with / without': string;
}

export async function measureEventDurability(jobs: number): Promise<DurabilityFigures[]> {
  const figures: DurabilityFigures[] = [];
  const target = await createPostgresDatabase();
  try {
    const databases: [string, () => Promise<Database>][] = [
      ['pglite', () => createDb({ url: 'memory://', dataDir: '' })],
      ['postgres', () => createDb({ url: target.url, dataDir: '' })],
    ];
    for (const [name, open] of databases) {
      const database = await open();
      try {
        const withEvents = await changesPerSecond(database, jobs);
        await database.db.execute(sql`alter table export_jobs disable trigger user`);
        const without = await changesPerSecond(database, jobs);
        await database.db.execute(sql`alter table export_jobs enable trigger user`);
        figures.push({
          database: name,
          jobs,
          'with events /s': Math.round(withEvents),
          'without /s': Math.round(without),
          'with / without': (withEvents / without).toFixed(2),
        });
      } finally {
        await database.close();
      }
    }
  } finally {
    await target.drop();
  }
  return figures;
}

/** Creates `jobs` jobs and cancels each, one statement at a time; answers changes a second. */
async function changesPerSecond(database: Database, jobs: number): Promise<number> {
  const db = database.db;
  const started = performance.now();
  for (let i = 0; i < jobs; i++) {
    const [job] = await db.execute<{ id: number }>(sql`
      insert into export_jobs (org_id, sandbox_name, schema_name, merge_policy_id, merge_policy_version, filter, dataset_id, request_id)
      values (${TENANT.orgId}, ${TENANT.sandboxName}, '_xdm.context.profile', 'timestampOrdered-none-mp', 1,
              '{"emptyProfiles": false}'::jsonb, 'durable0000000000000000', 'bench')
      returning id`);
    await db.execute(sql`update export_jobs set status = 'CANCELLED', finished_at = now(), update_time = now()
      where id = ${job!.id} and status = 'NEW'`);
  }
  return (2 * jobs) / ((performance.now() - started) / 1000);
}
