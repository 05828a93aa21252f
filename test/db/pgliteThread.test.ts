/** The embedded PGlite on its own thread, seen through the project's `Database`. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inBackground } from '../../src/db/backgroundWork';
import { MIGRATIONS_FOLDER } from '../../src/db/createDb';
import type { Database } from '../../src/db/database';
import { openPgliteThread } from '../../src/db/pgliteThread';
import { storageTargets } from '../helpers/databases';

const pglite = storageTargets.find((target) => target.name === 'pglite')!;

describe('the PGlite thread', () => {
  let database: Database;

  beforeAll(async () => {
    database = await pglite.open();
    await database.db.execute(sql`create table thread_probe (id int primary key)`);
  });
  afterAll(() => database?.close());

  it("keeps a database error's fields across the thread", async () => {
    await database.db.execute(sql`insert into thread_probe values (1)`);
    const failure = await database.db.execute(sql`insert into thread_probe values (1)`).catch((error: unknown) => error);
    expect((failure as Error & { cause?: Record<string, unknown> }).cause).toMatchObject({
      code: '23505',
      constraint: 'thread_probe_pkey',
    });
  });

  it('rolls a failed transaction back and goes on serving', async () => {
    await expect(
      database.db.transaction(async (tx) => {
        await tx.execute(sql`insert into thread_probe values (2)`);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const rows = await database.db.execute<{ id: number }>(sql`select id from thread_probe order by id`);
    expect(rows.map((row) => row.id)).toEqual([1]);
  });

  it('answers a statement sent to a transaction after it ended with an error, not never', async () => {
    let late: Promise<unknown> | undefined;
    await expect(
      database.db.transaction(async (tx) => {
        // Sent after the rollback below (a caller that fired and forgot, or lost a race).
        late = new Promise((resolve) => setTimeout(resolve, 50)).then(() => tx.execute(sql`select 1`));
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const failure = await late!.then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    const cause = (failure as Error).cause as Error | undefined;
    expect(cause?.message).toMatch(/Transaction \d+ is not open/);
    // Nothing waits behind: the thread is idle, and serves the next statement.
    expect(database.poolUsage()).toEqual([expect.objectContaining({ inUse: 0, waiting: 0 })]);
    expect([...(await database.db.execute<{ one: number }>(sql`select 1 as one`))]).toEqual([{ one: 1 }]);
  });

  it('rejects a statement whose parameters cannot be sent to the thread, and keeps nothing waiting', async () => {
    const client = (database.db as unknown as { $client: { query(text: string, params: unknown[]): Promise<unknown> } }).$client;
    // postMessage refuses it at once (structured clone), before anything is sent.
    await expect(client.query('select $1::text', [() => 'a function'])).rejects.toMatchObject({
      name: 'DataCloneError',
      message: expect.stringContaining('could not be cloned'),
    });
    expect(database.poolUsage()).toEqual([expect.objectContaining({ inUse: 0, waiting: 0 })]);
  });

  it('runs a statement of the API before background statements queued earlier', async () => {
    const finished: string[] = [];
    const slow = (name: string) =>
      inBackground(async () => {
        await database.db.execute(sql`select pg_sleep(0.1)`);
        finished.push(name);
      });
    const background = [slow('background 1'), slow('background 2'), slow('background 3')];
    await new Promise((resolve) => setTimeout(resolve, 20)); // the first one is running
    await database.db.execute(sql`select 1`).then(() => finished.push('api'));
    await Promise.all(background);
    // On a loaded machine the first may not have started within 20 ms: then the API goes before it too.
    expect(finished.filter((name) => name !== 'api')).toEqual(['background 1', 'background 2', 'background 3']);
    expect(finished.indexOf('api')).toBeLessThan(finished.indexOf('background 2'));
  });

  it('answers the rows of a raw statement as an array', async () => {
    const rows = await database.db.execute<{ n: number }>(sql`select generate_series(1, 3) as n`);
    expect(Array.isArray(rows)).toBe(true);
    expect(rows.map((row) => row.n)).toEqual([1, 2, 3]);
  });
});

describe('a new data directory', () => {
  let dataDir = '';
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'gw-new-data-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  // Created on a thread of its own that ends before the serving one starts (pgliteThread.ts).
  it("reports the creating thread's failure as such, and a later open migrates what it created", async () => {
    const failure = await openPgliteThread(dataDir, join(dataDir, 'no-migrations-here')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe(`Creating the embedded database in ${dataDir} failed`);
    expect(((failure as Error).cause as Error).message).toBe("Can't find meta/_journal.json file");
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);

    const client = await openPgliteThread(dataDir, MIGRATIONS_FOLDER);
    try {
      const rows = await client.query(`select count(*)::int as n from information_schema.tables where table_name = 'export_jobs'`);
      expect(rows[0]).toEqual({ n: 1 });
    } finally {
      await client.close();
    }
  });
});
