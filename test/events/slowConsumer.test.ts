/** A subscriber that stops reading holds only its own bounded queue; the others go on. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WATCHER_QUEUE } from '../../src/events/jobEventHub';
import { CANCEL_EXPORT_JOB } from '../fixtures/operations';
import { storageTargets } from '../helpers/databases';
import { startExport } from '../helpers/exportFlow';
import { startTestServer, type TestServer } from '../helpers/testServer';

const HEADERS = { 'x-gw-ims-org-id': 'ORG_SLOW@AdobeOrg', 'x-sandbox-name': 'prod' };
const JOBS = 200; // two events each: CREATED and STATUS_CHANGED (cancelled)

describe.each(storageTargets)('a slow subscriber on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    // 600 requests in a few seconds: above the default requests a second of one tenant.
    api = await startTestServer(target, { concurrency: 0 }, {}, { requestsPerSecond: 100_000 });
  });
  afterAll(() => api?.close());

  it('never delays the others and never queues more than its bound', async () => {
    const tenant = { orgId: HEADERS['x-gw-ims-org-id'], sandboxName: 'prod' };
    const slow = await api.server.hub.watch({ tenant });
    const fast = await api.server.hub.watch({ tenant });
    const received: string[] = [];
    const reading = (async () => {
      for await (const event of fast) {
        received.push(`${event.job.id}:${event.type}:${event.status}`);
        if (received.length === 2 * JOBS) break;
      }
    })();

    const expected: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const { jobId } = await startExport(api, {}, HEADERS);
      await api.graphql(CANCEL_EXPORT_JOB, { id: jobId }, HEADERS);
      expected.push(`${jobId}:CREATED:NEW`, `${jobId}:STATUS_CHANGED:CANCELLED`);
    }
    await reading;

    expect(received).toEqual(expected);
    expect(slow.queued()).toBe(WATCHER_QUEUE);
    await slow.return!();
    expect(api.server.hub.watcherCount()).toBe(0);
  });
});
