/**
 * postgres.js 3.4.9 mishandles a backend terminated under it (57P01, as a restart, a
 * failover or pg_terminate_backend sends it), and patches/ mends both ways, proved here
 * against PostgreSQL:
 * - it kept the FATAL error past the socket it came on, and failed the next query of that
 *   connection with it, though that query ran on a new backend;
 * - in a transaction, its rollback was written to the closed socket: an uncaught TypeError
 *   (which ends a Node process), and the connection was never connected again;
 * - a transaction whose session the server ended (idle_in_transaction_session_timeout, which
 *   the runner's sessions set) ran its later statements on the connection connected again,
 *   inside the next transaction, which committed them.
 */
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, TEST_DATABASE_URL } from '../helpers/databases';

/** How `work` ends: `done`, or its error's code. */
const endingOf = (work: PromiseLike<unknown>): Promise<string | undefined> =>
  Promise.resolve(work).then(
    () => 'done',
    (error: { code?: string }) => error.code,
  );

describe('a connection whose backend was terminated', () => {
  // One connection each: the next query must reuse the connection whose backend ended.
  const client = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  afterAll(async () => {
    await client.end({ timeout: 1 });
    await admin.end({ timeout: 1 });
  });

  const backendPid = async () => (await client<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!.pid;

  /** Terminates backend `pid` once it runs `select pg_sleep…`. */
  async function terminateWhileSleeping(pid: number): Promise<void> {
    for (let tries = 0; ; tries++) {
      const [row] = await admin<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where pid = ${pid} and query like 'select pg_sleep%'`;
      if (row!.n > 0) break;
      if (tries > 200) throw new Error('The sleep never started');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await admin`select pg_terminate_backend(${pid})`;
  }

  it('fails the query in flight with 57P01, and runs the next one on a new backend', async () => {
    const pid = await backendPid();
    const sleeping = endingOf(client`select pg_sleep(10)`);
    await terminateWhileSleeping(pid);
    expect(await sleeping).toBe('57P01');
    expect(await backendPid()).not.toBe(pid);
  });

  it('fails a transaction whose backend ends, throws nothing uncaught, and connects again', async () => {
    const pid = await backendPid();
    const transaction = endingOf(
      client.begin(async (tx) => {
        await tx`select 1`;
        await tx`select pg_sleep(10)`;
      }),
    );
    await terminateWhileSleeping(pid);
    expect(await transaction).toBe('CONNECTION_CLOSED');
    // Unpatched, this waited for a connection that never came back (CONNECT_TIMEOUT after 30 s).
    expect(await backendPid()).not.toBe(pid);
  });

  it('runs none of a dead transaction’s later statements inside the next transaction', async () => {
    const database = await createPostgresDatabase({ empty: true });
    // One connection, whose transactions the server ends after 1 s idle.
    const timed = postgres(database.url, { max: 1, onnotice: () => {}, connection: { idle_in_transaction_session_timeout: 1_000 } });
    try {
      await timed`create table probe (v int)`;
      const first = endingOf(
        timed.begin(async (tx) => {
          await tx`insert into probe values (1)`;
          await new Promise((resolve) => setTimeout(resolve, 1_800)); // idle: the server ends the session at 1 s
          await tx`insert into probe values (2)`;
        }),
      );
      // Begun once the first's session has ended (1.3 s), still open when the first goes on (1.8 s).
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      const second = timed.begin(async (tx) => {
        await tx`insert into probe values (3)`;
        await new Promise((resolve) => setTimeout(resolve, 800));
        await tx`insert into probe values (4)`;
      });
      expect(await first).toBe('CONNECTION_CLOSED');
      await second;
      const rows = await timed<{ v: number }[]>`select v from probe order by v`;
      expect(rows.map((row) => row.v)).toEqual([3, 4]);
    } finally {
      await timed.end({ timeout: 1 });
      await database.drop();
    }
  });
});
