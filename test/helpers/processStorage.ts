/**
 * The databases a test gives the processes it spawns: a PGlite directory of
 * its own, or a fresh PostgreSQL database; each removed by the cleanup it
 * registers. For `it.each` over both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresDatabase } from './databases';

type Cleanups = (() => Promise<unknown> | unknown)[];

export function processStorages(cleanups: Cleanups): [string, () => Promise<Record<string, string>>][] {
  return [
    ['pglite', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'gw-process-'));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      return { DATA_DIR: dataDir };
    }],
    ['postgres', async () => {
      const database = await createPostgresDatabase();
      cleanups.push(() => database.drop());
      return { DATABASE_URL: database.url };
    }],
  ];
}
