/**
 * Events committed while a server's LISTEN connection is down are not heard live: a
 * watcher of one job could wait for an end that never comes. When the connection is back,
 * every watcher ends with SERVICE_UNAVAILABLE, and its resume replays what it missed from
 * the stored events. The fault is a real one: the server reaches PostgreSQL through a TCP
 * proxy that the test cuts, while another instance (a direct connection) cancels the job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/createDb';
import type { Database } from '../../src/db/database';
import { cancelExportJob } from '../../src/jobs/cancelExportJob';
import { createPostgresDatabase, type StorageTarget } from '../helpers/databases';
import { ingest, startExport } from '../helpers/exportFlow';
import { collect, subscriptionClient } from '../helpers/subscriptions';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { waitUntil } from '../helpers/waitUntil';

const orgId = 'ORG_LISTEN_GAP@AdobeOrg';
const headers = { 'x-gw-ims-org-id': orgId, 'x-sandbox-name': 'prod' };

describe('a gap in the server’s LISTEN, on PostgreSQL', () => {
  let proxy: TcpProxy;
  let otherInstance: Database;
  let api: TestServer;
  let created: Awaited<ReturnType<typeof createPostgresDatabase>>;
  beforeAll(async () => {
    created = await createPostgresDatabase();
    proxy = await startTcpProxy(Number(new URL(created.url).port || 5432), { whileCut: 'refuse' });
    otherInstance = await createDb({ url: created.url, dataDir: '' });
    const behindProxy: StorageTarget = {
      name: 'postgres',
      open: async (options) => {
        const url = new URL(created.url);
        url.port = String(proxy.port);
        const database = await createDb({ url: url.toString(), dataDir: '', ...options });
        return { ...database, close: () => database.close() };
      },
    };
    api = await startTestServer(behindProxy);
  });
  afterAll(async () => {
    await api?.close();
    await otherInstance?.close();
    await proxy?.close();
    // Dropped last: the server and the other instance have closed their connections.
    await created?.drop();
  });

  it('ends the watch with SERVICE_UNAVAILABLE once it listens again, and the resume replays the missed end', { timeout: 30_000 }, async () => {
    await ingest(api, [{ profileId: 'p1', segments: [{ segmentId: 'A', status: 'REALIZED' }] }], headers);
    const { jobId } = await startExport(api, { filter: { segments: [{ segmentId: 'A' }] } }, headers);
    const client = subscriptionClient(api, headers);
    try {
      const watch = collect(client, { id: jobId });
      await waitUntil(() => watch.events.length === 1, 5_000);
      expect(watch.events[0]).toMatchObject({ type: 'SNAPSHOT', status: 'NEW', sequence: 1 });

      proxy.cut();
      // Another instance ends the job while this server hears nothing.
      const { job } = await cancelExportJob(otherInstance.db, { orgId, sandboxName: 'prod' }, jobId, null);
      expect(job.status).toBe('CANCELLED');
      proxy.restore();

      const outcome = await watch.done;
      expect(outcome.completed).toBe(false);
      expect(outcome.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE' }) })]);
      expect(watch.events).toHaveLength(1);

      const resumed = collect(client, { id: jobId, afterSequence: 1 });
      expect(await resumed.done).toEqual({ completed: true });
      expect(resumed.events).toEqual([
        expect.objectContaining({ type: 'STATUS_CHANGED', previousStatus: 'NEW', status: 'CANCELLED', sequence: 2 }),
      ]);
    } finally {
      await client.dispose();
    }
  });
});
