/**
 * Tenants take turns at a deliverer's slots: one tenant's slow endpoints hold at most half
 * of them (WEBHOOK_CONCURRENCY), so another tenant's webhooks are sent meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { startExport, waitForJob } from '../helpers/exportFlow';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { waitUntil } from '../helpers/waitUntil';
import { useWebhookReceivers } from '../helpers/webhookReceiver';
import { createWebhook, freshTenant, storedEventsOf } from './webhookApi';

describe.each(storageTargets)('webhook slots shared between tenants on $name', (target) => {
  let api: TestServer;
  const receiver = useWebhookReceivers();
  beforeAll(async () => {
    // Two slots; an attempt may hang for 20 s before it counts as failed.
    api = await startTestServer(target, { concurrency: 1, leaseMs: 30_000 }, {}, {}, { webhooks: { allowPrivate: true, timeoutMs: 20_000, concurrency: 2 } });
  });
  afterAll(() => api?.close());

  const runJob = async (headers: Record<string, string>) => {
    const { jobId } = await startExport(api, {}, headers);
    expect((await waitForJob(api, jobId, undefined, headers)).status).toBe('SUCCEEDED');
    return storedEventsOf(api, jobId, headers);
  };

  it("sends another tenant's events while one tenant's endpoints hang in every request", { timeout: 60_000 }, async () => {
    const slow = freshTenant('SLOW');
    const hanging = [await receiver(), await receiver()];
    for (const endpoint of hanging) {
      endpoint.answerWith({ hang: true });
      await createWebhook(api, { url: endpoint.url }, slow);
    }
    await runJob(slow);
    await waitUntil(() => hanging.some((endpoint) => endpoint.requests.length > 0), 10_000);

    const other = freshTenant('OTHER');
    const quick = await receiver();
    const { secret } = await createWebhook(api, { url: quick.url }, other);
    quick.secrets.push(secret);
    const stored = await runJob(other);
    await waitUntil(() => quick.events().length === stored.length, 10_000);
    expect(quick.events().map((body) => body.data.event.id)).toEqual(stored.map((event) => event.id));
    // The slow tenant held one of the two slots: one hanging request, not two.
    expect(hanging.map((endpoint) => endpoint.requests.length).sort()).toEqual([0, 1]);
  });
});
