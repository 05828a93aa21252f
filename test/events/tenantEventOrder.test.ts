/**
 * A tenant's events commit in the order of their ids (migration 0015), so a
 * client that resumes the tenant's stream after the highest id it has seen
 * misses nothing, even when two changes of the tenant were in flight at once.
 * PostgreSQL only: on PGlite's one connection transactions never overlap.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { startExport } from '../helpers/exportFlow';
import { collect, subscriptionClient } from '../helpers/subscriptions';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { waitUntil } from '../helpers/waitUntil';

const postgresTarget = storageTargets.find((target) => target.name === 'postgres')!;

let tenants = 0;
const freshTenant = () => ({ 'x-gw-ims-org-id': `ORG_EVENT_ORDER_${++tenants}@AdobeOrg`, 'x-sandbox-name': 'prod' });

const EVENTS = /* GraphQL */ `
  query Events {
    jobEvents(first: 100) { edges { node { id sequence job { id } } } }
  }
`;

describe('the order of a tenant’s events on postgres', () => {
  let api: TestServer;
  const storedEvents = async (headers: Record<string, string>) =>
    (await api.graphql(EVENTS, {}, headers)).data!.jobEvents.edges.map((edge: any) => edge.node);
  const key = (event: { job: { id: string }; sequence: number }) => `${event.job.id}:${event.sequence}`;

  beforeAll(async () => {
    api = await startTestServer(postgresTarget, { concurrency: 0 }, {}, { requestsPerSecond: 100_000 });
  });
  afterAll(() => api?.close());

  it('makes a second change of the tenant wait for the first’s commit, so resuming after the highest id seen misses neither', async () => {
    const headers = freshTenant();
    const first = await startExport(api, {}, headers);
    const second = await startExport(api, {}, headers);
    const db = api.database.db;
    const cancel = (jobId: string) =>
      sql`update export_jobs set status = 'CANCELLED', finished_at = now() where id = ${Number(jobId)}`;

    // The first change has written its event (and taken its id), and holds before its commit.
    let commitFirst: () => void = () => {};
    let firstWritten = false;
    const firstChange = db.transaction(async (tx) => {
      await tx.execute(cancel(first.jobId));
      firstWritten = true;
      await new Promise<void>((resolve) => (commitFirst = resolve));
    });
    await waitUntil(() => firstWritten);
    // The second, on another connection, would commit at once if nothing held it.
    let secondPid = 0;
    let secondCommitted = false;
    const secondChange = db
      .transaction(async (tx) => {
        const [row] = await tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`);
        secondPid = row!.pid;
        await tx.execute(cancel(second.jobId));
      })
      .then(() => (secondCommitted = true));
    try {
      // It waits for the tenant's turn before its event takes an id (or, were it not held, commits).
      await waitUntil(async () => {
        if (secondCommitted) return true;
        if (secondPid === 0) return false;
        const waiting = await db.execute<{ n: number }>(
          sql`select count(*)::int as n from pg_locks where pid = ${secondPid} and locktype = 'advisory' and not granted`,
        );
        return (waiting[0]?.n ?? 0) > 0;
      }, 5_000);
      const secondWaited = !secondCommitted;

      // Meanwhile a client reads the tenant's stream; then it goes away, and both commit.
      const seen = await storedEvents(headers);
      commitFirst();
      await firstChange;
      await secondChange;

      // Back, it resumes after the highest id it saw, until a change made after its return.
      const client = subscriptionClient(api, headers);
      const resumed = collect(client, { after: seen.at(-1).id });
      const laterId = (await startExport(api, {}, headers)).jobId;
      // Its event may arrive before the mutation's answer: wait on what was received, not on each event.
      await waitUntil(() => resumed.events.some((event) => event.job.id === laterId), 10_000);
      resumed.stop();
      await client.dispose();
      const received = [...seen, ...resumed.events].map(key);
      expect(received).toEqual(expect.arrayContaining([`${first.jobId}:2`, `${second.jobId}:2`]));
      expect(resumed.events.map(key)).toEqual([`${first.jobId}:2`, `${second.jobId}:2`, `${laterId}:1`]);
      expect(secondWaited).toBe(true);
    } finally {
      commitFirst();
      await Promise.allSettled([firstChange, secondChange]);
    }
  });

  it('lets changes of other tenants go on meanwhile', async () => {
    const headers = freshTenant();
    const mine = await startExport(api, {}, headers);
    const theirs = await startExport(api, {}, freshTenant());
    const db = api.database.db;
    let commitMine: () => void = () => {};
    let mineWritten = false;
    const myChange = db.transaction(async (tx) => {
      await tx.execute(sql`update export_jobs set status = 'CANCELLED' where id = ${Number(mine.jobId)}`);
      mineWritten = true;
      await new Promise<void>((resolve) => (commitMine = resolve));
    });
    try {
      await waitUntil(() => mineWritten);
      // Commits while this tenant's change still holds its turn.
      await db.execute(sql`update export_jobs set status = 'CANCELLED' where id = ${Number(theirs.jobId)}`);
    } finally {
      commitMine();
      await myChange;
    }
    expect((await storedEvents(headers)).map(key)).toEqual([`${mine.jobId}:1`, `${mine.jobId}:2`]);
  });
});
