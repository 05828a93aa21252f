/** Job events reaching webhooks: order, signature, body, filters, tenants, the deliveries list. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_AGENT } from '../../src/webhooks/webhookRequest';
import { storageTargets } from '../helpers/databases';
import { startExport, waitForJob } from '../helpers/exportFlow';
import { webhookDeliveries } from '../../src/db/schema';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { waitUntil } from '../helpers/waitUntil';
import { useWebhookReceivers } from '../helpers/webhookReceiver';
import {
  createWebhook,
  deliveriesOf,
  eventually,
  freshTenant,
  storedEventsOf,
  WEBHOOK_DELIVERIES,
} from './webhookApi';

describe.each(storageTargets)('webhook delivery on $name', (target) => {
  let api: TestServer;
  const receiver = useWebhookReceivers();

  beforeAll(async () => {
    api = await startTestServer(target, { concurrency: 1 }, {}, {}, { webhooks: { allowPrivate: true } });
  });
  afterAll(() => api?.close());

  /** Runs an export job of `headers`'s tenant to its end; returns its id and its stored events. */
  const runJob = async (headers: Record<string, string>) => {
    const { jobId } = await startExport(api, {}, headers);
    expect((await waitForJob(api, jobId, undefined, headers)).status).toBe('SUCCEEDED');
    return { jobId, stored: await storedEventsOf(api, jobId, headers) };
  };

  it('sends a job’s events in sequence order, signed, with the event and the job in the body', async () => {
    const headers = freshTenant('DELIVER');
    const endpoint = await receiver();
    const { secret } = await createWebhook(api, { url: endpoint.url }, headers);
    endpoint.secrets.push(secret);
    const { jobId, stored } = await runJob(headers);
    expect(stored.map((event) => event.type)).toEqual(expect.arrayContaining(['CREATED', 'STATUS_CHANGED']));
    expect(stored.at(-1)!.status).toBe('SUCCEEDED');

    await waitUntil(() => endpoint.events().length === stored.length);
    expect(endpoint.requests.every((request) => request.verifiedWith === 0)).toBe(true);
    const bodies = endpoint.events();
    expect(bodies.map((body) => body.data.event.sequence)).toEqual(stored.map((_, i) => i + 1));
    bodies.forEach((body, i) => {
      const event = stored[i]!;
      expect(body).toEqual({
        type: `export_job.${event.type.toLowerCase()}`,
        timestamp: event.occurredAt,
        data: {
          event: {
            id: event.id,
            type: event.type,
            sequence: event.sequence,
            status: event.status,
            previousStatus: event.previousStatus,
            progress: event.progress,
            occurredAt: event.occurredAt,
          },
          job: expect.objectContaining({
            id: jobId,
            status: event.status,
            imsOrgId: headers['x-gw-ims-org-id'],
            sandboxName: 'prod',
          }),
        },
      });
    });
    const ids = endpoint.requests.map((request) => request.headers['webhook-id']);
    expect(new Set(ids).size).toBe(stored.length);
    for (const request of endpoint.requests) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['user-agent']).toBe(USER_AGENT);
      expect(request.headers['webhook-id']).toMatch(/^evt_\d+$/);
      expect(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(300);
    }
  });

  it('lists every delivery on Webhook.deliveries, newest first, a page at a time', async () => {
    const headers = freshTenant('DELIVER');
    const endpoint = await receiver();
    const { id } = await createWebhook(api, { url: endpoint.url }, headers);
    const before = Date.now();
    const { stored } = await runJob(headers);
    await waitUntil(() => endpoint.requests.length === stored.length);
    let deliveries: Record<string, any>[] = [];
    // Deliveries are written after their answers: wait for the last to be recorded.
    await eventually(async () => (deliveries = await deliveriesOf(api, id, headers)).length === stored.length);
    const after = Date.now();
    expect(deliveries.map((delivery) => delivery.eventId)).toEqual(stored.map((event) => event.id).reverse());
    for (const delivery of deliveries) {
      expect(delivery).toMatchObject({ attempt: 1, httpStatus: 204, error: null, succeeded: true });
      // Whole milliseconds, measured within the wall time around the deliveries (1 ms for the rounding).
      expect(Number.isInteger(delivery.durationMs)).toBe(true);
      expect(delivery.durationMs).toBeGreaterThanOrEqual(0);
      const attemptedAt = Date.parse(delivery.attemptedAt);
      expect(attemptedAt).toBeGreaterThanOrEqual(before);
      expect(attemptedAt + delivery.durationMs).toBeLessThanOrEqual(after + 1);
    }

    const first = await api.graphql(WEBHOOK_DELIVERIES, { id, first: 2 }, headers);
    const page = first.data!.webhook.deliveries;
    expect(page.edges.map((edge: any) => edge.node.eventId)).toEqual(deliveries.slice(0, 2).map((d) => d.eventId));
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const rest = await api.graphql(WEBHOOK_DELIVERIES, { id, first: 100, after: page.pageInfo.endCursor }, headers);
    expect(rest.data!.webhook.deliveries.edges.map((edge: any) => edge.node.eventId)).toEqual(
      deliveries.slice(2).map((d) => d.eventId),
    );
    const foreign = await api.graphql(WEBHOOK_DELIVERIES, { id, after: 'bm9wZQ' }, headers);
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it("reads every webhook's page of deliveries with one statement", async () => {
    const headers = freshTenant('DELIVERIES');
    const endpoint = await receiver();
    const attemptsOf = new Map<string, number[]>();
    for (const [index, attempts] of [3, 0, 1].entries()) {
      const { id } = await createWebhook(api, { url: `${endpoint.url}?hook=${index}` }, headers);
      attemptsOf.set(id, Array.from({ length: attempts }, (_, attempt) => attempt + 1));
      for (const attempt of attemptsOf.get(id)!) {
        // Written as the deliverer writes them; the attempt number tells them apart.
        await api.database.db.insert(webhookDeliveries).values({
          webhookId: id, eventId: 1, attempt, attemptedAt: new Date(), httpStatus: 500, durationMs: 1, error: null, succeeded: false,
        });
      }
    }
    api.resetQueries();
    const response = await api.graphql(
      `query { webhooks(first: 10) { edges { node { id deliveries(first: 2) { edges { node { attempt } } pageInfo { hasNextPage } } } } } }`,
      {},
      headers,
    );
    expect(response.errors).toBeUndefined();
    const nodes = response.data!.webhooks.edges.map((edge: any) => edge.node);
    expect(nodes).toHaveLength(3);
    for (const node of nodes) {
      const attempts = attemptsOf.get(node.id)!;
      // Newest first: the highest attempt, written last, leads.
      expect(node.deliveries.edges.map((edge: any) => edge.node.attempt)).toEqual([...attempts].reverse().slice(0, 2));
      expect(node.deliveries.pageInfo.hasNextPage).toBe(attempts.length > 2);
    }
    expect(api.queries.filter((query) => /from "webhook_deliveries"/.test(query))).toHaveLength(1);
  });

  it('sends only the event types and statuses a webhook asks for', async () => {
    const headers = freshTenant('FILTER');
    const [everything, finished, created, nothingYet] = await Promise.all([receiver(), receiver(), receiver(), receiver()]);
    await createWebhook(api, { url: everything.url }, headers);
    await createWebhook(api, { url: finished.url, events: ['STATUS_CHANGED'], statuses: ['SUCCEEDED', 'FAILED'] }, headers);
    await createWebhook(api, { url: created.url, events: ['CREATED'] }, headers);
    await createWebhook(api, { url: nothingYet.url, statuses: ['CANCELLED'] }, headers);
    const { stored } = await runJob(headers);

    await waitUntil(() => everything.requests.length === stored.length && finished.requests.length === 1 && created.requests.length === 1);
    expect(finished.requests[0]!.json.data.event).toMatchObject({ type: 'STATUS_CHANGED', previousStatus: 'PROCESSING', status: 'SUCCEEDED' });
    expect(created.requests[0]!.json.data.event).toMatchObject({ type: 'CREATED', status: 'NEW', sequence: 1 });
    // What a filter leaves out is never queued: once the queue is empty, nothing more is on its way.
    await eventually(async () => {
      const [row] = await api.database.db.execute<{ pending: number }>(
        sql`select count(*)::int as pending from webhook_messages`,
      );
      return row?.pending === 0;
    });
    expect(nothingYet.requests).toEqual([]);
    expect(finished.requests).toHaveLength(1);
    expect(created.requests).toHaveLength(1);
  });

  it('never sends a webhook the events of another tenant', async () => {
    const owner = freshTenant('OWNER');
    const stranger = freshTenant('STRANGER');
    const endpoint = await receiver();
    await createWebhook(api, { url: endpoint.url }, owner);
    const theirs = await runJob(stranger);
    const ours = await runJob(owner);
    await waitUntil(() => endpoint.requests.length === ours.stored.length);
    const jobIds = new Set(endpoint.requests.map((request) => request.json.data.job.id));
    expect([...jobIds]).toEqual([ours.jobId]);
    expect(jobIds.has(theirs.jobId)).toBe(false);
    expect(endpoint.requests.every((request) => request.json.data.job.imsOrgId === owner['x-gw-ims-org-id'])).toBe(true);
  });
});
