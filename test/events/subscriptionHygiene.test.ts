/** Subscribers come and go: a closed socket leaves nothing behind. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { startExport } from '../helpers/exportFlow';
import { collect, subscriptionClient } from '../helpers/subscriptions';
import { waitUntil } from '../helpers/waitUntil';
import { startTestServer, type TestServer } from '../helpers/testServer';

const HEADERS = { 'x-gw-ims-org-id': 'ORG_HYGIENE@AdobeOrg', 'x-sandbox-name': 'prod' };
const CYCLES = 300;

describe.each(storageTargets)('subscription hygiene on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target, { concurrency: 0 });
  });
  afterAll(() => api?.close());

  it(`frees every socket and watcher after ${CYCLES} connect/subscribe/close cycles`, async () => {
    const { jobId } = await startExport(api, {}, HEADERS);
    for (let i = 0; i < CYCLES; i++) {
      const client = subscriptionClient(api, HEADERS);
      // Alternately one job (answered by a snapshot) and the whole tenant.
      const watch = collect(client, i % 2 === 0 ? { id: jobId } : {}, (events) => events.length > 0);
      if (i % 2 === 0) await watch.done;
      else await waitUntil(() => api.server.hub.watcherCount() > 0);
      await client.dispose();
    }
    await waitUntil(() => api.server.hub.watcherCount() === 0 && api.server.subscriptions.clientCount() === 0);
    expect(api.server.hub.watcherCount()).toBe(0);
    expect(api.server.subscriptions.clientCount()).toBe(0);
  });
});
