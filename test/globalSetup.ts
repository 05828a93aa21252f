/**
 * Once per run, before the test files:
 * - `npm run build`, so that server processes run the build as `npm start` does,
 *   and threads opened by the tests (PGlite's, the file writer's) run their
 *   modules from it (GW_THREADS_FROM_BUILD, src/workerSource.ts) without
 *   registering tsx in each; built again before each rerun in watch mode, so
 *   neither runs code older than the sources;
 * - a migrated PGlite data directory, dumped to a file that every in-memory test
 *   database starts from (`DatabaseOptions.memoryTemplate`, through
 *   GW_TEST_PGLITE_TEMPLATE), instead of initdb and the migrations (4.7 s here);
 * - a migrated PostgreSQL database that every test database is copied from
 *   (GW_TEST_PG_TEMPLATE, `createPostgresDatabase`), which spares each the
 *   migrations (about 0.35 s of 0.5 here).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import type { TestProject } from 'vitest/node';
import { createDb, MIGRATIONS_FOLDER } from '../src/db/createDb';
import { createPostgresDatabase } from './helpers/databases';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const build = () =>
    execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url))], { stdio: 'inherit' });
  build();
  project.onTestsRerun(() => void build());
  process.env.GW_THREADS_FROM_BUILD = '1';

  const directory = mkdtempSync(join(tmpdir(), 'gw-pglite-template-'));
  const template = join(directory, 'migrated.tar');
  const pglite = new PGlite();
  try {
    await migrate(drizzle({ client: pglite }), { migrationsFolder: MIGRATIONS_FOLDER });
    writeFileSync(template, Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer()));
  } finally {
    await pglite.close();
  }
  process.env.GW_TEST_PGLITE_TEMPLATE = template;

  const postgresTemplate = await createPostgresDatabase({ empty: true });
  try {
    await (await createDb({ url: postgresTemplate.url, dataDir: '', countPoolUsage: false })).close();
  } catch (error: unknown) {
    await postgresTemplate.drop();
    throw error;
  }
  process.env.GW_TEST_PG_TEMPLATE = postgresTemplate.name;
  return async () => {
    rmSync(directory, { recursive: true, force: true });
    await postgresTemplate.drop();
  };
}
