/**
 * The embedded database checkpoints once enough WAL is written and it is quiet,
 * or past a ceiling whatever the load (walCheckpoints.ts): PGlite never does by itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import type { Database } from '../../src/db/database';
import type { PeriodicWork } from '../../src/db/periodicWork';
import { checkpointsOf, startWalCheckpoints, walSinceCheckpoint, type WalCheckpointOptions } from '../../src/db/walCheckpoints';
import { createLogger } from '../../src/logger';
import { startServer } from '../../src/server';
import { storageTargets, TEST_DATABASE_URL } from '../helpers/databases';

const pglite = storageTargets.find((target) => target.name === 'pglite')!;
const postgres = storageTargets.find((target) => target.name === 'postgres')!;
const MB = 1024 * 1024;
const silent = createLogger({ level: 'silent' });

/** About a megabyte of WAL. */
const FILLER = 'insert into wal_filler select repeat(md5(g::text), 24) from generate_series(1, 1300) g';

/** Writes about `mb` MB of WAL, a statement a megabyte, back to back: the connection stays busy. */
async function writeWal(database: Database, mb: number): Promise<void> {
  await database.db.execute(sql`create table if not exists wal_filler (line text)`);
  for (let i = 0; i < mb; i++) await database.db.execute(sql.raw(FILLER));
}

const checkpointLsn = async (database: Database) =>
  (await database.db.execute<{ lsn: string }>(sql`select checkpoint_lsn::text as lsn from pg_control_checkpoint()`))[0]!.lsn;

/** Small and quick, for tests: quiet after 300 ms with the connection in use in at most a quarter of the samples. */
const QUICK: WalCheckpointOptions = {
  intervalMs: 20,
  walBytes: 8 * MB,
  ceilingBytes: 32 * MB,
  quietMs: 300,
  sampleMs: 10,
  quietBusyShare: 0.25,
};

/**
 * Waits, asking every 200 ms (asked more often, the asking would keep the database
 * busy), until the WAL since the last checkpoint is under `bytes`; false after `timeoutMs`.
 */
async function walFallsUnder(database: Database, bytes: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while ((await walSinceCheckpoint(database.db)) >= bytes) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return true;
}

describe('checkpoints of the embedded database', () => {
  let database: Database | undefined;
  let checkpoints: PeriodicWork | undefined;
  afterEach(async () => {
    await checkpoints?.stop();
    await database?.close();
    checkpoints = database = undefined;
  });

  /**
   * An embedded database from no WAL since its last checkpoint (whatever the template
   * left), with QUICK checkpoints; `start` is that checkpoint's LSN.
   */
  async function openWithQuickCheckpoints(): Promise<{ opened: Database; start: string }> {
    const opened = (database = await pglite.open());
    await opened.db.execute(sql`checkpoint`);
    const start = await checkpointLsn(opened);
    checkpoints = startWalCheckpoints(opened, silent, QUICK);
    return { opened, start };
  }

  it('are never taken by PGlite itself, even past a max_wal_size that would call for one', async () => {
    // The least max_wal_size there is: PostgreSQL's checkpointer would start one within 32 MB.
    // A start parameter: PGlite, one process, does not reload its configuration.
    const pg = new PGlite({ startParams: [...PGlite.defaultStartParams, '-c', 'max_wal_size=32MB'] });
    const one = async (text: string) => Object.values((await pg.query<Record<string, unknown>>(text)).rows[0]!)[0];
    try {
      expect(await one('show max_wal_size')).toBe('32MB');
      const before = await one('select checkpoint_lsn::text from pg_control_checkpoint()');
      await pg.query('create table wal_filler (line text)');
      for (let i = 0; i < 36; i++) await pg.query(FILLER);
      expect(await one('select checkpoint_lsn::text from pg_control_checkpoint()')).toBe(before);
      expect(Number(await one('select (pg_current_wal_lsn() - checkpoint_lsn)::float8 from pg_control_checkpoint()'))).toBeGreaterThan(33 * MB);
    } finally {
      await pg.close();
    }
  });

  it('are taken past the threshold once the database is quiet, not while it is busy nor before', async () => {
    const { opened, start } = await openWithQuickCheckpoints();
    await writeWal(opened, 4);
    await new Promise((resolve) => setTimeout(resolve, 2 * QUICK.quietMs));
    expect(await checkpointLsn(opened)).toBe(start);

    // Past the threshold, below the ceiling, busy all along: none yet.
    await writeWal(opened, 16);
    expect(await checkpointLsn(opened)).toBe(start);
    expect(await walSinceCheckpoint(opened.db)).toBeGreaterThan(16 * MB);
    // Quiet: taken.
    expect(await walFallsUnder(opened, QUICK.walBytes, 10_000)).toBe(true);
    expect(await checkpointLsn(opened)).not.toBe(start);
  });

  it('are taken past the ceiling while the database is busy', async () => {
    const { opened, start } = await openWithQuickCheckpoints();
    // Back to back until one is taken: how far past the ceiling the next look comes
    // depends on the timers of a loaded machine (12 MB once on CI), not on us.
    await opened.db.execute(sql`create table if not exists wal_filler (line text)`);
    let written = 0;
    while ((await checkpointLsn(opened)) === start && written < 128) {
      await opened.db.execute(sql.raw(FILLER));
      written++;
    }
    expect(await checkpointLsn(opened)).not.toBe(start);
    // Taken at the ceiling, not at the 8 MB a quiet database would have called for.
    const [taken] = await opened.db.execute<{ bytes: number }>(
      sql`select (checkpoint_lsn - ${start}::pg_lsn)::float8 as bytes from pg_control_checkpoint()`,
    );
    expect(Number(taken!.bytes)).toBeGreaterThanOrEqual(QUICK.ceilingBytes);
  });

  it('are left to PostgreSQL on PostgreSQL', async () => {
    database = await postgres.open();
    checkpoints = checkpointsOf(TEST_DATABASE_URL, database, silent) ?? undefined;
    expect(checkpoints).toBeUndefined();
  });

  // A server of its own, its runner polling: initdb and every migration (no template), then 35 MB of WAL.
  it('are taken by a server that opened the embedded database itself, its idle runner polling', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-checkpoints-'));
    const server = await startServer(
      loadConfig({
        DATABASE_URL: 'memory://',
        DATA_DIR: join(dir, 'data'),
        FILES_DIR: join(dir, 'files'),
        HOST: '127.0.0.1',
        PORT: '0',
        RUNNER_CONCURRENCY: '1',
        LOG_LEVEL: 'silent',
      }),
    );
    try {
      const start = await checkpointLsn(server.database);
      await writeWal(server.database, 35);
      // WAL_CHECKPOINTS: looked at every second, past 32 MB once quiet for 3 s.
      expect(await walFallsUnder(server.database, 32 * MB, 15_000)).toBe(true);
      expect(await checkpointLsn(server.database)).not.toBe(start);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
