/**
 * A deliverer whose lease renewals cannot get through (the database down, or the webhook's
 * row locked) stops sending once its lease has passed by its own clock: by then another
 * deliverer may have claimed the endpoint and be sending the same messages. On PostgreSQL,
 * where another transaction can hold the row while the deliverer's requests go on.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { startExport, waitForJob } from '../helpers/exportFlow';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { waitUntil } from '../helpers/waitUntil';
import { useWebhookReceivers } from '../helpers/webhookReceiver';
import { createWebhook, freshTenant, storedEventsOf } from './webhookApi';

const postgres = storageTargets.find((target) => target.name === 'postgres')!;
const LEASE_MS = 1_500;
const ANSWER_AFTER_MS = 300;

describe('a webhook lease that cannot be renewed, on PostgreSQL', () => {
  let api: TestServer;
  const receiver = useWebhookReceivers();
  beforeAll(async () => {
    api = await startTestServer(postgres, { concurrency: 1, leaseMs: LEASE_MS }, {}, {}, { webhooks: { allowPrivate: true, timeoutMs: 3_000 } });
  });
  afterAll(() => api?.close());

  it('sends nothing after the lease has passed, and every event once the row is free again', { timeout: 60_000 }, async () => {
    const headers = freshTenant('LEASE');
    const endpoint = await receiver();
    endpoint.answerWith({ status: 204, afterMs: ANSWER_AFTER_MS });
    const { id, secret } = await createWebhook(api, { url: endpoint.url }, headers);
    endpoint.secrets.push(secret);
    // Messages pile up while the endpoint is not due.
    await api.database.db.execute(sql`update webhooks set next_attempt_at = now() + interval '1 hour' where id = ${id}`);
    const stored = [];
    for (let i = 0; i < 6; i++) {
      const { jobId } = await startExport(api, {}, headers);
      expect((await waitForJob(api, jobId, undefined, headers)).status).toBe('SUCCEEDED');
      stored.push(...(await storedEventsOf(api, jobId, headers)));
    }
    // Enough to send for twice the lease, one answer after another.
    expect(stored.length * ANSWER_AFTER_MS).toBeGreaterThan(2 * LEASE_MS);

    await api.database.db.execute(sql`update webhooks set next_attempt_at = now() where id = ${id}`);
    await waitUntil(() => endpoint.requests.length > 0, 10_000);
    // The claim's renewals now wait for this transaction; its requests go on.
    let release = () => {};
    let locked = () => {};
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const held = api.database.db.transaction(async (tx) => {
      await tx.execute(sql`select 1 from webhooks where id = ${id} for update`);
      locked();
      await new Promise<void>((resolve) => (release = resolve));
    });
    try {
      await isLocked;
      const sentBeforeLock = endpoint.requests.length;
      await new Promise((resolve) => setTimeout(resolve, stored.length * ANSWER_AFTER_MS + LEASE_MS));
      const sentWhileHeld = endpoint.requests.length - sentBeforeLock;
      // At most a lease's worth after the last renewal that got through, and so not all of them.
      expect(sentWhileHeld).toBeLessThanOrEqual(Math.ceil(LEASE_MS / ANSWER_AFTER_MS) + 1);
      expect(endpoint.requests.length).toBeLessThan(stored.length);
    } finally {
      release();
      await held;
    }
    // At least once: what was not sent, or not recorded, goes on the next claims.
    await waitUntil(() => endpoint.events().length === stored.length, 30_000);
    expect(endpoint.events().map((body) => body.data.event.id)).toEqual(stored.map((event) => event.id));
  });
});
