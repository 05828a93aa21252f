/**
 * postgres.js 3.4.9 kept the FATAL error of a terminated backend (57P01, as a restart or
 * pg_terminate_backend sends it) past the socket it came on, and failed the next query of
 * that connection with it, though that query ran on a new backend. patches/ fixes it (its
 * `closed()` hands the error to the query in flight and forgets it); this proves the patch
 * is applied, against PostgreSQL.
 */
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../helpers/databases';

describe('a connection whose backend was terminated', () => {
  // One connection each: the next query must reuse the connection whose backend ended.
  const client = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  afterAll(async () => {
    await client.end({ timeout: 1 });
    await admin.end({ timeout: 1 });
  });

  it('fails the query in flight with 57P01, and runs the next one on a new backend', async () => {
    const [first] = await client<{ pid: number }[]>`select pg_backend_pid() as pid`;
    const pid = first!.pid;
    const sleeping = client`select pg_sleep(10)`.then(
      () => 'finished',
      (error: { code?: string }) => error.code,
    );
    // Until the sleep runs on that backend.
    for (let tries = 0; ; tries++) {
      const [row] = await admin<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where pid = ${pid} and query like 'select pg_sleep%'`;
      if (row!.n > 0) break;
      if (tries > 200) throw new Error('The sleep never started');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await admin`select pg_terminate_backend(${pid})`;
    expect(await sleeping).toBe('57P01');
    const [next] = await client<{ pid: number }[]>`select pg_backend_pid() as pid`;
    expect(next!.pid).not.toBe(pid);
  });
});
