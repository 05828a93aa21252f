/**
 * The database pool gauges: connections in use and work waiting for one, per
 * pool, on PostgreSQL (counted where postgres.js takes a connection) and on
 * PGlite (its one connection and the statements queued behind it).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { sample, scrape } from '../helpers/metrics';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { waitUntil } from '../helpers/waitUntil';

describe.each(storageTargets)('the pool gauges on $name', (target) => {
  let api: TestServer;
  // The API's pool in tests: DATABASE_POOL_SIZE 5 on PostgreSQL; PGlite has one connection.
  const pool = target.name === 'postgres' ? 'api' : 'embedded';
  const connections = target.name === 'postgres' ? 5 : 1;

  beforeAll(async () => {
    // No runner on PGlite: its polls would queue on the one connection beside the test's statements.
    api = await startTestServer(target, { concurrency: target.name === 'postgres' ? 1 : 0 });
  });
  afterAll(() => api?.close());

  const reading = async () => {
    const text = await scrape(api.server.metricsUrl!);
    return {
      inUse: sample(text, 'gateway_db_pool_connections', { pool, state: 'in_use' }),
      idle: sample(text, 'gateway_db_pool_connections', { pool, state: 'idle' }),
      waiting: sample(text, 'gateway_db_pool_waiting', { pool }),
    };
  };

  it('shows every connection in use and the rest of the work waiting while more than the pool runs, and all idle after', async () => {
    // A scrape reads the queue gauges from the database, at most every 5 s, and waits for
    // the database only while it has no reading yet: read now, so the scrapes below are
    // answered from memory instead of queueing behind the sleeps.
    await reading();
    const statements = connections + 3;
    const sleeping = Promise.all(
      Array.from({ length: statements }, () => api.database.db.execute(sql`select pg_sleep(0.6)`)),
    );
    let busy = await reading();
    await waitUntil(async () => (busy = await reading()).waiting! > 0);
    expect(busy).toEqual({ inUse: connections, idle: 0, waiting: 3 });
    await sleeping;
    await waitUntil(async () => (await reading()).inUse === 0);
    expect(await reading()).toEqual({ inUse: 0, idle: connections, waiting: 0 });
  });

  it('counts a transaction as holding one connection until it ends', async () => {
    let finish = () => {};
    const held = new Promise<void>((resolve) => (finish = resolve));
    const transaction = api.database.db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
      await held;
    });
    try {
      await waitUntil(async () => (await reading()).inUse === 1);
      expect((await reading()).waiting).toBe(0);
    } finally {
      finish();
      await transaction;
    }
    await waitUntil(async () => (await reading()).inUse === 0);
  });

  it('reads every pool of the process: the runner\'s beside the API\'s on PostgreSQL, the one connection on PGlite', async () => {
    const text = await scrape(api.server.metricsUrl!);
    if (target.name === 'postgres') {
      // 4 a RUNNER_CONCURRENCY slot + 2 connections (runnerPool.ts), idle while no job runs.
      expect(sample(text, 'gateway_db_pool_connections', { pool: 'runner' })).toBe(6);
      expect(sample(text, 'gateway_db_pool_connections', { pool: 'embedded' })).toBeUndefined();
    } else {
      // Every statement of the process, the runner's included, goes through PGlite's one connection.
      expect(sample(text, 'gateway_db_pool_connections', { pool: 'embedded' })).toBe(1);
      expect(sample(text, 'gateway_db_pool_connections', { pool: 'runner' })).toBeUndefined();
    }
  });

  it('counts nothing with METRICS=off: on PostgreSQL statements pass as the driver sends them', async () => {
    const quiet = await startTestServer(target, { concurrency: 0 }, {}, {}, { metrics: { enabled: false } });
    try {
      await quiet.database.db.execute(sql`select 1`);
      // PGlite's reading is its thread's queue, kept whatever the metrics; PostgreSQL's needs the count.
      if (target.name === 'postgres') expect(quiet.database.poolUsage()).toEqual([]);
      else expect(quiet.database.poolUsage()).toEqual([{ pool: 'embedded', connections: 1, inUse: 0, waiting: 0 }]);
    } finally {
      await quiet.close();
    }
  });
});
