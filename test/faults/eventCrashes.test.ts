/**
 * Events across crashes, with the server and runners as users start them (in
 * processes of their own) and a real webhook receiver:
 * - a server killed (SIGKILL) right after a job's creation commits, before it
 *   answers — where the event used to be published — loses no event: watchers
 *   get it (live on another instance, or by resuming), webhooks after restart;
 * - a runner killed in the middle of a webhook delivery: the event is sent again,
 *   and the receiver, deduping by `webhook-id`, has it once;
 * - two instances on one PostgreSQL send each event to each endpoint once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { FaultPoint } from '../../src/faultPoint';
import { CANCEL_EXPORT_JOB, CREATE_DATASET, PROFILE_SCHEMA_REF } from '../fixtures/operations';
import { startService, stopService, type ServiceProcess } from '../helpers/processes';
import { processStorages } from '../helpers/processStorage';
import { createPostgresDatabase } from '../helpers/databases';
import { collect, subscriptionClient } from '../helpers/subscriptions';
import { waitUntil } from '../helpers/waitUntil';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhookReceiver';
import { CREATE_WEBHOOK } from '../webhooks/webhookApi';

const ORG = 'ORG_CRASH@AdobeOrg';
const HEADERS = { 'x-gw-ims-org-id': ORG, 'x-sandbox-name': 'prod' };
// Short leases, so that what a killed process held is taken over within seconds.
const QUICK = { RUNNER_LEASE_MS: '2000', RUNNER_POLL_MS: '50', WEBHOOK_ALLOW_PRIVATE: '1', WEBHOOK_TIMEOUT_MS: '3000' };

const CREATE_JOB = /* GraphQL */ `
  mutation ($input: CreateExportJobInput!) { createExportJob(input: $input) { id } }
`;
const LAST_EVENTS = /* GraphQL */ `
  query { jobEvents(first: 100) { edges { node { id type status job { id } } } } }
`;

async function post(url: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...HEADERS },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

function jobInput(datasetId: string): Record<string, unknown> {
  return {
    fields: 'personalEmail.address',
    mergePolicy: { id: 'timestampOrdered-none-mp', version: 1 },
    filter: { emptyProfiles: true },
    destination: { datasetId, segmentPerBatch: false },
    schema: { name: '_xdm.context.profile' },
  };
}

/** The job ids and statuses of the webhook events a receiver accepted, as `id:STATUS`. */
const received = (receiver: WebhookReceiver) =>
  receiver.events().map((body) => `${body.data.job.id}:${body.data.event.type}:${body.data.event.status}`);

describe('events across crashes', { timeout: 120_000 }, () => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const start = async (env: Record<string, string>): Promise<ServiceProcess> => {
    const service = await startService('serve', { ...QUICK, ...env });
    cleanups.push(() => stopService(service, 'SIGKILL'));
    return service;
  };

  it.each(processStorages(cleanups))('loses no event of a server killed between a commit and its answer, on %s', async (_name, storage) => {
    const env = await storage();
    const receiver = await startWebhookReceiver();
    cleanups.push(() => receiver.close());

    // Before: a dataset, a webhook, and a first job run to its end.
    const before = await start(env);
    const datasetId = (await post(before.url, CREATE_DATASET, { input: { name: 'crash', schemaRef: PROFILE_SCHEMA_REF } }))
      .data.createDataset.id;
    const created = await post(before.url, CREATE_WEBHOOK, { input: { url: receiver.url } });
    receiver.secrets.push(created.data.createWebhook.secret);
    const first = (await post(before.url, CREATE_JOB, { input: jobInput(datasetId) })).data.createExportJob.id;
    await waitUntil(() => received(receiver).includes(`${first}:STATUS_CHANGED:SUCCEEDED`), 30_000);
    const seen = (await post(before.url, LAST_EVENTS)).data.jobEvents.edges.map((edge: any) => edge.node);
    const lastSeen = seen.at(-1).id;
    await stopService(before);

    // The crash: the job's row commits, then the process dies before it answers.
    const crashing = await start({ ...env, GW_FAULT_POINT: FaultPoint.AFTER_JOB_CREATED });
    const answer = await post(crashing.url, CREATE_JOB, { input: jobInput(datasetId) }).catch((error: unknown) => error);
    expect(answer).toBeInstanceOf(Error); // no answer came
    await stopService(crashing); // resolves at once: it is gone already
    expect(crashing.child.signalCode).toBe('SIGKILL');

    // After: a watcher that resumes gets the lost job's creation and its run; so does the webhook.
    const after = await start(env);
    const client = subscriptionClient(after.url, HEADERS);
    const watch = collect(client, { after: lastSeen }, (events) => events.some((event) => event.status === 'SUCCEEDED'));
    await watch.done;
    await client.dispose();
    const second = watch.events[0].job.id;
    expect(second).not.toBe(first);
    expect(watch.events.map((event) => `${event.type}:${event.status}`)).toEqual(
      expect.arrayContaining(['CREATED:NEW', 'STATUS_CHANGED:PROCESSING', 'STATUS_CHANGED:SUCCEEDED']),
    );
    expect(watch.events[0]).toMatchObject({ type: 'CREATED', sequence: 1 });
    await waitUntil(() => received(receiver).includes(`${second}:STATUS_CHANGED:SUCCEEDED`), 30_000);
    const ofSecond = received(receiver).filter((event) => event.startsWith(`${second}:`));
    expect(ofSecond[0]).toBe(`${second}:CREATED:NEW`);
    expect(ofSecond.at(-1)).toBe(`${second}:STATUS_CHANGED:SUCCEEDED`);
    await stopService(after);
  });

  it('shows a watcher on another instance the event of a server killed right after the commit', async () => {
    const database = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    const watching = await start({ DATABASE_URL: database.url, RUNNER_CONCURRENCY: '0' });
    const crashing = await start({ DATABASE_URL: database.url, RUNNER_CONCURRENCY: '0', GW_FAULT_POINT: FaultPoint.AFTER_JOB_CREATED });
    const datasetId = (await post(watching.url, CREATE_DATASET, { input: { name: 'crash', schemaRef: PROFILE_SCHEMA_REF } }))
      .data.createDataset.id;
    const client = subscriptionClient(watching.url, HEADERS);
    const watch = collect(client, {}, (events) => events.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the subscribe reaches the server
    await post(crashing.url, CREATE_JOB, { input: jobInput(datasetId) }).catch(() => undefined);
    await watch.done;
    await client.dispose();
    await stopService(crashing); // resolves at once: it is gone already
    expect(crashing.child.signalCode).toBe('SIGKILL');
    expect(watch.events).toEqual([expect.objectContaining({ type: 'CREATED', status: 'NEW', sequence: 1 })]);
  });

  it('sends again what a runner killed mid-delivery was sending, and each event reaches an endpoint once otherwise', async () => {
    const database = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    const receiver = await startWebhookReceiver();
    cleanups.push(() => receiver.close());
    const api = await start({ DATABASE_URL: database.url, RUNNER_CONCURRENCY: '0' });
    const datasetId = (await post(api.url, CREATE_DATASET, { input: { name: 'crash', schemaRef: PROFILE_SCHEMA_REF } }))
      .data.createDataset.id;
    // The jobs' ends: cancelled, or done first when a runner finishes one before its cancel.
    const ends = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
    const created = await post(api.url, CREATE_WEBHOOK, { input: { url: receiver.url, events: ['STATUS_CHANGED'], statuses: ends } });
    receiver.secrets.push(created.data.createWebhook.secret);

    // A runner takes the first delivery and is killed while the receiver holds it.
    receiver.answerNext({ hang: true });
    const doomed = await startService('worker', { ...QUICK, DATABASE_URL: database.url });
    cleanups.push(() => stopService(doomed, 'SIGKILL'));
    const first = (await post(api.url, CREATE_JOB, { input: jobInput(datasetId) })).data.createExportJob.id;
    await post(api.url, CANCEL_EXPORT_JOB, { id: first });
    await waitUntil(() => receiver.requests.length === 1, 20_000);
    await stopService(doomed, 'SIGKILL');

    // Two instances from now on: the held event is sent again, then each of ten more once.
    const runners = [
      await startService('worker', { ...QUICK, DATABASE_URL: database.url }),
      await startService('worker', { ...QUICK, DATABASE_URL: database.url }),
    ];
    for (const runner of runners) cleanups.push(() => stopService(runner, 'SIGKILL'));
    const more: string[] = [];
    for (let i = 0; i < 10; i++) {
      const id = (await post(api.url, CREATE_JOB, { input: jobInput(datasetId) })).data.createExportJob.id;
      await post(api.url, CANCEL_EXPORT_JOB, { id });
      more.push(id);
    }
    await waitUntil(() => received(receiver).length === 11, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 500)); // room for a duplicate to show

    const ids = receiver.requests.map((request) => String(request.headers['webhook-id']));
    const firstId = ids[0];
    expect(ids.filter((id) => id === firstId)).toHaveLength(2); // the held one, sent again
    expect(new Set(ids).size).toBe(11);
    expect(ids).toHaveLength(12); // and nothing else twice
    const jobsEnded = received(receiver).map((event) => event.split(':')[0]);
    expect(jobsEnded.sort()).toEqual([first, ...more].sort());
    expect(received(receiver).every((event) => ends.some((status) => event.endsWith(`:${status}`)))).toBe(true);
    // In event order (a job a runner claimed before its cancel ends later than the next one's).
    const order = [...new Set(ids)].map((id) => Number(id.replace('evt_', '')));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});
