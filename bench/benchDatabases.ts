/** What the in-process benchmarks share: both databases in turn, and a job's creation and cancel. */
import { sql } from 'drizzle-orm';
import { createDb } from '../src/db/createDb';
import type { AppDatabase, Database } from '../src/db/database';
import type { Tenant } from '../src/tenant';
import { createPostgresDatabase } from '../test/helpers/databases';

/** Runs `measure` on a fresh in-memory PGlite, then on a fresh PostgreSQL database; collects what it answers. */
export async function onEachDatabase<Figures>(measure: (name: string, database: Database) => Promise<Figures>): Promise<Figures[]> {
  const figures: Figures[] = [];
  const target = await createPostgresDatabase();
  try {
    const databases: [string, () => Promise<Database>][] = [
      ['pglite', () => createDb({ url: 'memory://', dataDir: '' })],
      ['postgres', () => createDb({ url: target.url, dataDir: '' })],
    ];
    for (const [name, open] of databases) {
      const database = await open();
      try {
        figures.push(await measure(name, database));
      } finally {
        await database.close();
      }
    }
  } finally {
    await target.drop();
  }
  return figures;
}

/** A job of `tenant` created, then cancelled: two changes, one statement each, as the API makes them. */
export async function createAndCancelJob(db: AppDatabase, tenant: Tenant): Promise<void> {
  const [job] = await db.execute<{ id: number }>(sql`
    insert into export_jobs (org_id, sandbox_name, schema_name, merge_policy_id, merge_policy_version, filter, dataset_id, request_id)
    values (${tenant.orgId}, ${tenant.sandboxName}, '_xdm.context.profile', 'timestampOrdered-none-mp', 1,
            '{"emptyProfiles": false}'::jsonb, 'bench00000000000000000000', 'bench')
    returning id`);
  await db.execute(sql`update export_jobs set status = 'CANCELLED', finished_at = now(), update_time = now()
    where id = ${job!.id} and status = 'NEW'`);
}
