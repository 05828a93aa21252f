/**
 * Subscriptions that fail (issue 16): no SQL or internals reach the client over
 * WebSocket, and no failing subscription leaves its watcher behind.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { collect, subscriptionClient } from '../helpers/subscriptions';
import { startTestServer, TENANT, type TestServer } from '../helpers/testServer';
import { waitUntil } from '../helpers/waitUntil';

describe.each(storageTargets)('failing subscriptions on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target);
  });
  afterAll(() => api?.close());

  it('closes a connection whose organisation holds a NUL with 4403, leaving no socket behind', async () => {
    let closedWith: number | undefined;
    const client = subscriptionClient(api, { 'x-gw-ims-org-id': 'ORG\u0000X' }, (code) => (closedWith = code));
    const watch = collect(client, { id: '100' });
    await watch.done;
    await client.dispose();
    expect(closedWith).toBe(4403);
    await waitUntil(() => api.server.subscriptions.clientCount() === 0);
    expect(api.server.hub.watcherCount()).toBe(0);
  });

  it('logs the unexpected error of an operation over WebSocket with its request id', async () => {
    const logsBefore = api.logs.length;
    const client = subscriptionClient(api, { ...TENANT, 'x-request-id': 'ws-request-7' });
    await api.database.db.execute(sql`alter table export_jobs rename to export_jobs_away`);
    let errors: unknown;
    try {
      errors = await new Promise((resolve) => {
        client.subscribe({ query: '{ exportJobs(first: 1) { totalCount } }' }, { next: (result) => resolve(result.errors), error: resolve, complete: () => {} });
      });
    } finally {
      await api.database.db.execute(sql`alter table export_jobs_away rename to export_jobs`);
      await client.dispose();
    }
    expect(errors).toEqual([expect.objectContaining({ extensions: { code: 'INTERNAL_SERVER_ERROR' } })]);
    const logged = api.logs.slice(logsBefore).map((line) => JSON.parse(line)).filter((line) => line.message === 'Unexpected error');
    expect(logged).not.toHaveLength(0);
    expect(logged.map((line) => line.requestId)).toEqual(logged.map(() => 'ws-request-7'));
  });

  it('masks the error of a subscription whose read fails, and leaves no watcher after 200 of them', async () => {
    const logsBefore = api.logs.length;
    // Every read of a job fails while the table is away: the fault behind the leak.
    await api.database.db.execute(sql`alter table export_jobs rename to export_jobs_away`);
    const clients = Array.from({ length: 4 }, () => subscriptionClient(api, TENANT));
    let failures: unknown[] = [];
    try {
      const watches = Array.from({ length: 200 }, (_, i) => collect(clients[i % clients.length]!, { id: '100' }));
      failures = (await Promise.all(watches.map((watch) => watch.done))).map((ending) => ending.errors);
    } finally {
      await api.database.db.execute(sql`alter table export_jobs_away rename to export_jobs`);
      await Promise.all(clients.map((client) => client.dispose()));
    }
    expect(failures).toHaveLength(200);
    for (const errors of failures) {
      expect(errors).toEqual([expect.objectContaining({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } })]);
      expect(JSON.stringify(errors)).not.toMatch(/select|export_jobs|query/i);
    }
    // The whole error is in the server's log instead.
    expect(api.logs.slice(logsBefore).some((line) => line.includes('Unexpected error'))).toBe(true);
    await waitUntil(() => api.server.subscriptions.clientCount() === 0);
    expect(api.server.hub.watcherCount()).toBe(0);
  });
});
