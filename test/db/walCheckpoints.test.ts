/**
 * The embedded database checkpoints once enough WAL is written (walCheckpoints.ts),
 * which PGlite never does by itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import type { Database } from '../../src/db/database';
import type { PeriodicWork } from '../../src/db/periodicWork';
import { startWalCheckpoints, walSinceCheckpoint } from '../../src/db/walCheckpoints';
import { createLogger } from '../../src/logger';
import { startServer } from '../../src/server';
import { storageTargets } from '../helpers/databases';
import { waitUntil } from '../helpers/waitUntil';

const pglite = storageTargets.find((target) => target.name === 'pglite')!;
const MB = 1024 * 1024;

/** Writes about `mb` MB of WAL, a statement a megabyte. */
async function writeWal(database: Database, mb: number): Promise<void> {
  await database.db.execute(sql`create table if not exists wal_filler (line text)`);
  for (let i = 0; i < mb; i++) {
    await database.db.execute(sql`insert into wal_filler select repeat(md5(g::text), 24) from generate_series(1, 1300) g`);
  }
}

const checkpointLsn = async (database: Database) =>
  (await database.db.execute<{ lsn: string }>(sql`select checkpoint_lsn::text as lsn from pg_control_checkpoint()`))[0]!.lsn;

describe('checkpoints of the embedded database', () => {
  let database: Database | undefined;
  let checkpoints: PeriodicWork | undefined;
  afterEach(async () => {
    await checkpoints?.stop();
    await database?.close();
    checkpoints = database = undefined;
  });

  it('are never taken by PGlite itself, however much WAL is written', async () => {
    database = await pglite.open();
    const before = await checkpointLsn(database);
    await writeWal(database, 20);
    expect(await checkpointLsn(database)).toBe(before);
    expect(await walSinceCheckpoint(database.db)).toBeGreaterThan(20 * MB);
  });

  it('are taken once the WAL since the last one passes the threshold, and not before', async () => {
    database = await pglite.open();
    checkpoints = startWalCheckpoints(database.db, createLogger({ level: 'silent' }), { intervalMs: 20, walBytes: 8 * MB });
    const start = await checkpointLsn(database);
    await writeWal(database, 4);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await checkpointLsn(database)).toBe(start);

    await writeWal(database, 30);
    await waitUntil(async () => (await walSinceCheckpoint(database!.db)) < 8 * MB);
    expect(await checkpointLsn(database)).not.toBe(start);
  });

  it('are taken by a server that opened the embedded database itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-checkpoints-'));
    const server = await startServer(
      loadConfig({
        DATABASE_URL: 'memory://',
        DATA_DIR: join(dir, 'data'),
        FILES_DIR: join(dir, 'files'),
        HOST: '127.0.0.1',
        PORT: '0',
        RUNNER_CONCURRENCY: '0',
        LOG_LEVEL: 'silent',
      }),
    );
    try {
      const start = await checkpointLsn(server.database);
      await writeWal(server.database, 40);
      // WAL_CHECKPOINTS: looked at every second, a checkpoint past 32 MB.
      await waitUntil(async () => (await walSinceCheckpoint(server.database.db)) < 32 * MB, 5_000);
      expect(await checkpointLsn(server.database)).not.toBe(start);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
