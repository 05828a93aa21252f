/**
 * The queue snapshot behind the job gauges: one statement per window, and a
 * scrape that never waits long on a busy database once it has a snapshot —
 * on PGlite a scrape taken while a transaction holds the one connection
 * would otherwise wait for that transaction, however long it runs.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database';
import { Registry } from 'prom-client';
import { cachedQueueSnapshot } from '../../src/metrics/queueSnapshot';
import { registerStateGauges } from '../../src/metrics/stateGauges';
import { storageTargets } from '../helpers/databases';

describe.each(storageTargets)('the queue snapshot on $name', (target) => {
  let database: Database;
  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(() => database?.close());

  it('shares one read between scrapes within its window', async () => {
    const read = cachedQueueSnapshot(database.db, 60_000);
    const [first, second] = await Promise.all([read(), read()]);
    expect(first).toBe(second);
    expect(await read()).toBe(first);
    expect(first).toEqual({
      jobs: { NEW: 0, PROCESSING: 0, CANCELLING: 0 },
      parts: { PENDING: 0, RUNNING: 0 },
      leaseExpired: 0,
      oldestNewAgeSeconds: 0,
      readAt: expect.any(Number),
    });
    expect(Math.abs(Date.now() - first.readAt)).toBeLessThan(10_000);
  });

  it("counts a sharded job's parts waiting and running, not those read to their end", async () => {
    const [job] = await database.db.execute<{ id: number }>(sql`
      insert into export_jobs (org_id, sandbox_name, status, schema_name, merge_policy_id, merge_policy_version, filter, dataset_id, request_id, locked_by, locked_until)
      values ('ORG_PARTS@AdobeOrg', 'prod', 'PROCESSING', 's', 'm', 1, '{}', 'd', 'r', 'runner', now() + interval '1 minute')
      returning id`);
    await database.db.execute(sql`
      insert into export_job_parts (job_id, part, org_id, sandbox_name, status)
      select ${job!.id}, n, 'ORG_PARTS@AdobeOrg', 'prod', (array['PENDING', 'PENDING', 'RUNNING', 'DONE', 'DONE', 'DONE'])[n]
      from generate_series(1, 6) n`);
    try {
      const snapshot = await cachedQueueSnapshot(database.db, 0)();
      expect(snapshot.parts).toEqual({ PENDING: 2, RUNNING: 1 });
      expect(snapshot.jobs.PROCESSING).toBe(1);
    } finally {
      await database.db.execute(sql`delete from export_jobs where id = ${job!.id}`);
    }
  });

  /**
   * Holds export_jobs until `release`: on PGlite the transaction holds the one connection,
   * on PostgreSQL the lock blocks the read. Resolves once it is held (in an object: an async
   * function would wait for a promise it returns).
   */
  const lockExportJobs = async (): Promise<{ release: () => void; blocker: Promise<void> }> => {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked = () => {};
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const blocker = database.db.transaction(async (tx) => {
      await tx.execute(sql`lock table export_jobs in access exclusive mode`);
      locked();
      await held;
    });
    await isLocked;
    return { release, blocker };
  };

  it('answers the last snapshot while the database cannot answer, and a fresh one after', async () => {
    // A window of 0: every scrape wants a fresh read.
    const read = cachedQueueSnapshot(database.db, 0, 100);
    const first = await read();
    const { release, blocker } = await lockExportJobs();
    let stillHeld = true;
    try {
      const answered = await read();
      expect(stillHeld).toBe(true);
      expect(answered).toBe(first);
    } finally {
      stillHeld = false;
      release();
      await blocker;
    }
    // The read started under the lock lands; the scrape after it gets its snapshot.
    let fresh = await read();
    for (let tries = 0; fresh === first && tries < 50; tries += 1) fresh = await read();
    expect(fresh).not.toBe(first);
    expect({ ...fresh, readAt: 0 }).toEqual({ ...first, readAt: 0 });
    expect(fresh.readAt).toBeGreaterThan(first.readAt);
  });

  it('gives up a first read the database cannot answer after its wait, and has the snapshot once it lands', async () => {
    const read = cachedQueueSnapshot(database.db, 0, 100);
    const { release, blocker } = await lockExportJobs();
    try {
      // No snapshot to fall back on: the scrape goes on without the queue's gauges.
      await expect(read()).rejects.toThrow('No queue snapshot yet: the database did not answer within 100 ms');
    } finally {
      release();
      await blocker;
    }
    expect((await read()).jobs).toEqual(expect.objectContaining({ NEW: expect.any(Number) }));
  });

  it('answers the last snapshot when a read fails, and a scrape without any still answers the other metrics', async () => {
    const closing = await target.open();
    const read = cachedQueueSnapshot(closing.db, 0, 1_000);
    const first = await read();
    const gauges = new Registry();
    registerStateGauges(gauges, { queue: cachedQueueSnapshot(closing.db), runner: { busy: () => 1, concurrency: 2 }, pools: () => [] });
    await closing.close();
    // The database is gone: every read fails at once, with the driver's word for a closed database.
    const closed = target.name === 'pglite' ? { message: 'The embedded database thread stopped' } : { code: 'CONNECTION_ENDED' };
    await expect(cachedQueueSnapshot(closing.db)()).rejects.toMatchObject({ cause: expect.objectContaining(closed) });
    expect(await read()).toBe(first);
    const text = await gauges.metrics();
    expect(text).toContain('gateway_runner_slots{state="busy"} 1');
    expect(text).not.toMatch(/gateway_export_jobs\{/);
  });

  it("says how old the queue's reading is, which grows while the database cannot be read", async () => {
    const closing = await target.open();
    const gauges = new Registry();
    registerStateGauges(gauges, { queue: cachedQueueSnapshot(closing.db, 0, 100), runner: null, pools: () => [] });
    const ageIn = (text: string) => Number(/^gateway_export_queue_snapshot_age_seconds (\S+)$/m.exec(text)?.[1]);
    expect(ageIn(await gauges.metrics())).toBeLessThan(1);
    await closing.close();
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const text = await gauges.metrics();
    // The counts it last read, and how old they are.
    expect(text).toContain('gateway_export_jobs{status="NEW"} 0');
    expect(ageIn(text)).toBeGreaterThanOrEqual(1.2);
  });
});
