/**
 * Endpoints that fail: retries in order, redirects, timeouts, giving a message
 * up after 24 hours, disabling an endpoint after 3 days; and secrets rotated
 * and webhooks deleted while events flow.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookDeliveries, webhookMessages } from '../../src/db/schema';
import { storageTargets } from '../helpers/databases';
import { startExport, waitForJob } from '../helpers/exportFlow';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { waitUntil } from '../helpers/waitUntil';
import { useWebhookReceivers, type WebhookReceiver } from '../helpers/webhookReceiver';
import {
  createWebhook,
  DELETE_WEBHOOK,
  deliveriesOf,
  eventually,
  freshTenant,
  GET_WEBHOOK,
  ROTATE_WEBHOOK_SECRET,
  storedEventsOf,
} from './webhookApi';

const TIMEOUT_MS = 3_000;

describe.each(storageTargets)('failing webhooks on $name', (target) => {
  let api: TestServer;
  const receiver = useWebhookReceivers();

  beforeAll(async () => {
    // The production lease (30 s, renewed every 10): a renewal must not be what ends a claim here.
    api = await startTestServer(target, { concurrency: 1, leaseMs: 30_000 }, {}, {}, { webhooks: { allowPrivate: true, timeoutMs: TIMEOUT_MS } });
  });
  afterAll(() => api?.close());

  const runJob = async (headers: Record<string, string>) => {
    const { jobId } = await startExport(api, {}, headers);
    expect((await waitForJob(api, jobId, undefined, headers)).status).toBe('SUCCEEDED');
    return { jobId, stored: await storedEventsOf(api, jobId, headers) };
  };
  const webhookOf = async (id: string, headers: Record<string, string>) =>
    (await api.graphql(GET_WEBHOOK, { id }, headers)).data!.webhook as Record<string, any>;
  const pendingOf = (id: string) =>
    api.database.db.select().from(webhookMessages).where(eq(webhookMessages.webhookId, id)).orderBy(webhookMessages.eventId);
  /** The backoff is over: the next poll sends (the time thresholds are reached by moving timestamps instead). */
  const dueNow = (id: string) => api.database.db.execute(sql`update webhooks set next_attempt_at = now() where id = ${id}`);

  it('retries a failing message with backoff, keeping every later one behind it, with the same webhook-id', async () => {
    const headers = freshTenant('RETRY');
    const endpoint = await receiver();
    endpoint.answerNext({ status: 500 }, { status: 503 });
    const { id, secret } = await createWebhook(api, { url: endpoint.url }, headers);
    endpoint.secrets.push(secret);
    const { stored } = await runJob(headers);

    await waitUntil(() => endpoint.events().length === stored.length, 20_000);
    expect(endpoint.events().map((body) => body.data.event.id)).toEqual(stored.map((event) => event.id));
    // The first event's three attempts come first: nothing overtakes a failing message.
    const [first, second, third] = endpoint.requests;
    expect([first, second, third].map((request) => request!.answer)).toEqual([500, 503, 204]);
    expect(new Set([first, second, third].map((request) => request!.headers['webhook-id'])).size).toBe(1);
    expect(endpoint.requests.every((request) => request.verifiedWith === 0)).toBe(true);

    let deliveries: Record<string, any>[] = [];
    await eventually(async () => (deliveries = await deliveriesOf(api, id, headers)).length === stored.length + 2);
    const ofFirst = deliveries.filter((delivery) => delivery.eventId === stored[0]!.id).reverse();
    expect(ofFirst).toMatchObject([
      { attempt: 1, httpStatus: 500, error: 'HTTP 500', succeeded: false },
      { attempt: 2, httpStatus: 503, error: 'HTTP 503', succeeded: false },
      { attempt: 3, httpStatus: 204, error: null, succeeded: true },
    ]);
    // A success ends the failing spell.
    expect((await webhookOf(id, headers)).failingSince).toBeNull();
  });

  it('counts a redirect as a failure and does not follow it', async () => {
    const headers = freshTenant('REDIRECT');
    const endpoint = await receiver();
    endpoint.answerNext({ redirect: 302 });
    const { id } = await createWebhook(api, { url: endpoint.url }, headers);
    const { stored } = await runJob(headers);

    let deliveries: Record<string, any>[] = [];
    await eventually(async () => (deliveries = await deliveriesOf(api, id, headers)).length === stored.length + 1);
    expect(deliveries.at(-1)).toMatchObject({
      eventId: stored[0]!.id,
      attempt: 1,
      httpStatus: 302,
      succeeded: false,
      error: expect.stringMatching(/^redirect not followed \(HTTP 302 to \/elsewhere\)$/),
    });
    expect(deliveries.at(-2)).toMatchObject({ eventId: stored[0]!.id, attempt: 2, succeeded: true });
    expect(endpoint.requests.map((request) => request.path)).not.toContain('/elsewhere');
  });

  it('gives up an attempt that hangs after WEBHOOK_TIMEOUT_MS, and meanwhile serves other endpoints', async () => {
    const headers = freshTenant('HANG');
    const [stuck, healthyEndpoint] = await Promise.all([receiver(), receiver()]);
    stuck.answerWith({ hang: true });
    const slow = await createWebhook(api, { url: stuck.url }, headers);
    const healthy = await createWebhook(api, { url: healthyEndpoint.url }, headers);
    healthyEndpoint.secrets.push(healthy.secret);
    // The export finishes while the stuck endpoint holds its first request.
    const { stored } = await runJob(headers);
    await waitUntil(() => healthyEndpoint.events().length === stored.length, 20_000);

    let deliveries: Record<string, any>[] = [];
    await eventually(async () => (deliveries = await deliveriesOf(api, slow.id, headers)).length > 0);
    expect(deliveries.at(-1)).toMatchObject({
      eventId: stored[0]!.id,
      attempt: 1,
      httpStatus: null,
      succeeded: false,
      error: `timed out after ${TIMEOUT_MS} ms`,
    });
    expect(deliveries.at(-1)!.durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    // Every event reached the healthy endpoint before the stuck one's first attempt ended.
    const timedOut = deliveries.at(-1)!;
    const stuckUntil = Date.parse(timedOut.attemptedAt) + timedOut.durationMs;
    const served = await deliveriesOf(api, healthy.id, headers);
    expect(served).toHaveLength(stored.length);
    expect(served.every((delivery) => delivery.succeeded && Date.parse(delivery.attemptedAt) < stuckUntil)).toBe(true);
    await api.graphql(DELETE_WEBHOOK, { id: slow.id }, headers);
  });

  it('records nothing of a failed attempt whose deliverer lost the endpoint meanwhile', async () => {
    const headers = freshTenant('LOST');
    const endpoint = await receiver();
    endpoint.answerWith({ hang: true });
    const { id } = await createWebhook(api, { url: endpoint.url }, headers);
    await runJob(headers);
    await waitUntil(() => endpoint.requests.length > 0, 20_000);
    // While the attempt hangs, the endpoint's lease passes to another deliverer (this one's ran out).
    await api.database.db.execute(sql`update webhooks set locked_by = 'elsewhere', locked_until = now() + interval '1 minute' where id = ${id}`);
    // The attempt times out, and its failure is not this deliverer's to record.
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS + 1_000));
    expect(await deliveriesOf(api, id, headers)).toEqual([]);
    const [row] = await api.database.db.execute<{ failing_since: string | null; next_attempt_at: string | null; locked_by: string | null }>(
      sql`select failing_since, next_attempt_at, locked_by from webhooks where id = ${id}`,
    );
    expect(row).toMatchObject({ failing_since: null, locked_by: 'elsewhere' });
    expect((await pendingOf(id)).every((message) => message.attempts === 0)).toBe(true);
    await api.graphql(DELETE_WEBHOOK, { id }, headers);
  });

  it('gives a message up at its first failure 24 hours after its first attempt, and goes on with the next', async () => {
    const headers = freshTenant('GIVEUP');
    const endpoint = await receiver();
    endpoint.answerWith({ status: 500 });
    const { id, secret } = await createWebhook(api, { url: endpoint.url }, headers);
    endpoint.secrets.push(secret);
    const { stored } = await runJob(headers);
    const [firstEvent] = await pendingOf(id);
    await eventually(async () => (await deliveriesOf(api, id, headers)).length > 0);

    // A day later (as the database sees it), the endpoint fails the message once more.
    await api.database.db.execute(
      sql`update webhook_messages set first_attempt_at = now() - interval '25 hours' where webhook_id = ${id} and event_id = ${firstEvent!.eventId}`,
    );
    await dueNow(id);
    let deliveries: Record<string, any>[] = [];
    await eventually(async () =>
      (deliveries = await deliveriesOf(api, id, headers)).some((delivery) => /given up/.test(delivery.error ?? '')),
    );
    const givenUp = deliveries.find((delivery) => /given up/.test(delivery.error ?? ''))!;
    expect(givenUp).toMatchObject({ eventId: stored[0]!.id, httpStatus: 500, succeeded: false });
    expect(givenUp.error).toMatch(/^HTTP 500; given up: first attempted 24 hours ago or more$/);
    expect((await pendingOf(id)).map((message) => message.eventId)).not.toContain(firstEvent!.eventId);
    // The next message was tried at once, and the endpoint is not disabled.
    await eventually(async () => (await deliveriesOf(api, id, headers)).some((delivery) => delivery.eventId === stored[1]!.id));
    expect((await webhookOf(id, headers)).enabled).toBe(true);

    endpoint.answerWith({ status: 204 });
    await dueNow(id);
    await waitUntil(() => endpoint.events().length === stored.length - 1, 20_000);
    expect(endpoint.events().map((body) => body.data.event.id)).toEqual(stored.slice(1).map((event) => event.id));
  });

  it('begins a new streak of failures, not a disable, when the endpoint had nothing to send meanwhile', async () => {
    const headers = freshTenant('QUIET');
    const endpoint = await receiver();
    endpoint.answerWith({ status: 500 });
    const { id } = await createWebhook(api, { url: endpoint.url }, headers);
    await runJob(headers);
    await eventually(async () => (await webhookOf(id, headers)).failingSince !== null);

    // It began failing 4 days ago, but its last attempt was 3 days ago: quiet since, longer than any backoff.
    await api.database.db.transaction(async (tx) => {
      await tx.execute(sql`update webhooks set failing_since = now() - interval '4 days' where id = ${id}`);
      await tx.execute(sql`update webhook_deliveries set attempted_at = now() - interval '3 days' where webhook_id = ${id}`);
    });
    await dueNow(id);
    let webhook: Record<string, any> = {};
    await eventually(async () => Date.now() - Date.parse((webhook = await webhookOf(id, headers)).failingSince) < 60_000);
    expect(webhook.enabled).toBe(true);
    expect(webhook.disabledReason).toBeNull();
  });

  it('disables an endpoint at its first failure 3 days into failing, and drops what it was to be sent', async () => {
    const headers = freshTenant('DISABLE');
    const endpoint = await receiver();
    endpoint.answerWith({ status: 500 });
    const { id } = await createWebhook(api, { url: endpoint.url }, headers);
    const { stored } = await runJob(headers);
    await eventually(async () => (await webhookOf(id, headers)).failingSince !== null);
    expect(stored.length).toBeGreaterThan(1);

    await api.database.db.execute(sql`update webhooks set failing_since = now() - interval '4 days' where id = ${id}`);
    await dueNow(id);
    let webhook: Record<string, any> = {};
    await eventually(async () => (webhook = await webhookOf(id, headers)).enabled === false);
    expect(webhook.disabledReason).toMatch(/^Every delivery failed from \S+Z to \S+Z, for 3 days or more$/);
    expect(webhook.disabledReason).toContain(new Date(webhook.failingSince).toISOString());
    expect(Date.now() - Date.parse(webhook.failingSince)).toBeGreaterThan(3 * 24 * 3600 * 1000);
    expect(await pendingOf(id)).toEqual([]);
    const [last] = await deliveriesOf(api, id, headers);
    expect(last!.error).toMatch(/^HTTP 500; the webhook is disabled: every delivery has failed since /);

    // A disabled webhook is queued nothing more.
    const requestsBefore = endpoint.requests.length;
    await runJob(headers);
    expect(await pendingOf(id)).toEqual([]);
    expect(endpoint.requests.length).toBe(requestsBefore);
  });

  it('signs with the new secret once rotated, and never again with the old one', async () => {
    const headers = freshTenant('ROTATE');
    const endpoint = await receiver();
    const { id, secret } = await createWebhook(api, { url: endpoint.url }, headers);
    endpoint.secrets.push(secret);
    const before = await runJob(headers);
    await waitUntil(() => endpoint.events().length === before.stored.length);
    await eventually(async () => (await pendingOf(id)).length === 0);

    const rotated = await api.graphql(ROTATE_WEBHOOK_SECRET, { id }, headers);
    const newSecret = rotated.data!.rotateWebhookSecret.secret as string;
    endpoint.secrets.push(newSecret);
    const after = await runJob(headers);
    await waitUntil(() => endpoint.events().length === before.stored.length + after.stored.length);
    const signedWith = (jobId: string) =>
      endpoint.requests.filter((request) => request.json.data.job.id === jobId).map((request) => request.verifiedWith);
    expect(new Set(signedWith(before.jobId))).toEqual(new Set([0]));
    expect(new Set(signedWith(after.jobId))).toEqual(new Set([1]));
  });

  /**
   * A webhook whose job's messages are all queued before it is claimed: one claim
   * holds them all, its first request answered 1.5 s late, while `change` runs.
   */
  const changeDuringClaim = async (
    prefix: string,
    change: (id: string, headers: Record<string, string>, endpoint: WebhookReceiver) => Promise<void>,
  ) => {
    const headers = freshTenant(prefix);
    const endpoint = await receiver();
    const { id, secret } = await createWebhook(api, { url: endpoint.url }, headers);
    endpoint.secrets.push(secret);
    await api.database.db.execute(sql`update webhooks set next_attempt_at = now() + interval '1 hour' where id = ${id}`);
    const { stored } = await runJob(headers);
    expect(stored.length).toBeGreaterThan(2);
    endpoint.answerNext({ status: 204, afterMs: 1_500 });
    await dueNow(id);
    await waitUntil(() => endpoint.requests.length > 0, 10_000);
    await change(id, headers, endpoint);
    return { endpoint, stored };
  };

  it('sends a webhook deleted during a claim nothing after the request on its way', async () => {
    const { endpoint } = await changeDuringClaim('DELETED', async (id, headers) => {
      expect((await api.graphql(DELETE_WEBHOOK, { id }, headers)).errors).toBeUndefined();
    });
    // Past the late answer, well within the lease renewal (10 s) that ended such a claim before.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(endpoint.requests).toHaveLength(1);
  });

  it('signs every request after a rotation during a claim with the new secret', async () => {
    const { endpoint, stored } = await changeDuringClaim('ROTATED', async (id, headers, endpoint) => {
      const rotated = await api.graphql(ROTATE_WEBHOOK_SECRET, { id }, headers);
      endpoint.secrets.push(rotated.data!.rotateWebhookSecret.secret as string);
    });
    await waitUntil(() => endpoint.events().length === stored.length, 20_000);
    // The first went out before the rotation; every later one, the rest of its claim, with the new secret.
    expect(endpoint.requests.map((request) => request.verifiedWith)).toEqual([0, ...stored.slice(1).map(() => 1)]);
  });

  it('gives an endpoint a pause, not a storm of requests, when its successes cannot be recorded', async () => {
    const headers = freshTenant('UNRECORDED');
    const endpoint = await receiver();
    const { id } = await createWebhook(api, { url: endpoint.url }, headers);
    await api.database.db.execute(sql`update webhooks set next_attempt_at = now() + interval '1 hour' where id = ${id}`);
    const { stored } = await runJob(headers);
    // Every write of this endpoint's deliveries fails, as a bug or a broken table would make it.
    await api.database.db.execute(sql`
      create or replace function refuse_deliveries() returns trigger language plpgsql as $$
        begin raise exception 'deliveries of % refused', new.webhook_id; end $$`);
    await api.database.db.execute(sql.raw(`
      create trigger refuse_deliveries before insert on webhook_deliveries
        for each row when (new.webhook_id = '${id}') execute function refuse_deliveries()`));
    try {
      await dueNow(id);
      await waitUntil(() => endpoint.requests.length >= stored.length, 10_000);
      // Sent once, unrecorded, then nothing for RETRY_AFTER_ERROR_MS (30 s), not sent again at once.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(endpoint.requests).toHaveLength(stored.length);
      const [row] = await api.database.db.execute<{ locked_by: string | null; waits: boolean }>(
        sql`select locked_by, next_attempt_at > now() + interval '20 seconds' as waits from webhooks where id = ${id}`,
      );
      expect(row).toEqual({ locked_by: null, waits: true });
      expect((await pendingOf(id)).length).toBe(stored.length);
    } finally {
      await api.database.db.execute(sql`drop trigger refuse_deliveries on webhook_deliveries`);
      await api.database.db.execute(sql`drop function refuse_deliveries()`);
    }
    // Once the writes work again, the next claim sends them again, and records them.
    await dueNow(id);
    await waitUntil(async () => (await pendingOf(id)).length === 0, 10_000);
    expect(endpoint.requests).toHaveLength(2 * stored.length);
  });

  it('drops a deleted webhook’s undelivered messages and its deliveries', async () => {
    const headers = freshTenant('DELETE');
    const endpoint = await receiver();
    endpoint.answerWith({ status: 500 });
    const { id } = await createWebhook(api, { url: endpoint.url }, headers);
    await runJob(headers);
    await eventually(async () => (await deliveriesOf(api, id, headers)).length > 0);
    expect((await pendingOf(id)).length).toBeGreaterThan(0);

    await api.graphql(DELETE_WEBHOOK, { id }, headers);
    expect(await pendingOf(id)).toEqual([]);
    expect(await api.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, id))).toEqual([]);
  });
});
