/** `jobStatusChanged` over graphql-ws with the real client on a real socket. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANCEL_EXPORT_JOB } from '../fixtures/operations';
import { storageTargets } from '../helpers/databases';
import { ingest, startExport, type ProfileSpec } from '../helpers/exportFlow';
import { collect, subscriptionClient } from '../helpers/subscriptions';
import { waitUntil } from '../helpers/waitUntil';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { startTestRunner } from '../helpers/testRunner';

let tenants = 0;
const freshTenant = () => ({ 'x-gw-ims-org-id': `ORG_WATCH_${++tenants}@AdobeOrg`, 'x-sandbox-name': 'prod' });
const profiles = (count: number): ProfileSpec[] =>
  Array.from({ length: count }, (_, i) => ({
    profileId: `p${String(i).padStart(4, '0')}`,
    segments: [{ segmentId: 'seg', status: 'REALIZED' }],
  }));

describe.each(storageTargets)('jobStatusChanged on $name', (target) => {
  let api: TestServer;

  // No runner of its own: tests start one when they want jobs to move.
  beforeAll(async () => {
    api = await startTestServer(target, { concurrency: 0 });
  });
  afterAll(() => api?.close());

  it('sends a snapshot of the job, then each change in order, and completes after the terminal one', async () => {
    const headers = freshTenant();
    await ingest(api, profiles(300), headers);
    const { jobId } = await startExport(api, { filter: { segments: [{ segmentId: 'seg' }] } }, headers);
    const client = subscriptionClient(api, headers);
    const watch = collect(client, { id: jobId });
    await waitUntil(() => watch.events.length === 1);
    const runner = startTestRunner(api, { concurrency: 1, chunkSize: 5 });
    const end = await watch.done;
    await runner.stop();
    await client.dispose();

    expect(end).toEqual({ completed: true });
    const { events } = watch;
    expect(events[0]).toMatchObject({ type: 'SNAPSHOT', status: 'NEW', job: { id: jobId, status: 'NEW' } });
    expect(events[1]).toMatchObject({ type: 'STATUS_CHANGED', status: 'PROCESSING', previousStatus: 'NEW' });
    expect(events.at(-1)).toMatchObject({
      type: 'STATUS_CHANGED',
      status: 'SUCCEEDED',
      previousStatus: 'PROCESSING',
      progress: { processedProfiles: 300, totalProfiles: 300, percent: 100 },
      job: { status: 'SUCCEEDED' },
    });
    const progress = events.filter((event) => event.type === 'PROGRESS');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((event) => event.status === 'PROCESSING')).toBe(true);
    const sequences = events.map((event) => event.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(new Set(sequences).size).toBe(sequences.length);
  });

  it("answers each event's fields as they are then, not as the subscription's first event read them", async () => {
    const headers = freshTenant();
    await ingest(api, profiles(20), headers);
    const { jobId } = await startExport(api, { filter: { segments: [{ segmentId: 'seg' }] } }, headers);
    const client = subscriptionClient(api, headers);
    const files: { status: string; names: string[] }[] = [];
    let stop = () => {};
    const done = new Promise<void>((resolve, reject) => {
      stop = client.subscribe<any>(
        {
          query: `subscription Files($id: ID) { jobStatusChanged(id: $id) {
            status job { dataset { batches(first: 5) { edges { node { files { name } } } } } } } }`,
          variables: { id: jobId },
        },
        {
          next: (result) => {
            if (result.errors) reject(new Error(JSON.stringify(result.errors)));
            const { status, job } = result.data.jobStatusChanged;
            const edges = job.dataset.batches.edges as { node: { files: { name: string }[] } }[];
            files.push({ status, names: edges.flatMap((edge) => edge.node.files.map((file) => file.name)) });
          },
          error: reject,
          complete: resolve,
        },
      );
    });
    await waitUntil(() => files.length === 1);
    const runner = startTestRunner(api, { concurrency: 1 });
    try {
      await done;
    } finally {
      stop();
      await runner.stop();
      await client.dispose();
    }
    expect(files[0]).toEqual({ status: 'NEW', names: [] });
    // The batch's file exists once the job has SUCCEEDED: the event must say so.
    expect(files.at(-1)).toEqual({ status: 'SUCCEEDED', names: [expect.stringMatching(/^part-00000\./)] });
  });

  it('completes right after the snapshot when the job has ended already', async () => {
    const headers = freshTenant();
    const { jobId } = await startExport(api, {}, headers);
    await api.graphql(CANCEL_EXPORT_JOB, { id: jobId }, headers);
    const client = subscriptionClient(api, headers);
    const watch = collect(client, { id: jobId });
    expect(await watch.done).toEqual({ completed: true });
    expect(watch.events).toEqual([expect.objectContaining({ type: 'SNAPSHOT', status: 'CANCELLED' })]);
    await client.dispose();
  });

  it("streams every event of the tenant's jobs without an id, creations included", async () => {
    const headers = freshTenant();
    const client = subscriptionClient(api, headers);
    const watch = collect(client, {}, (events) => events.length === 2);
    await waitUntil(() => api.server.hub.watcherCount() > 0);
    const { jobId } = await startExport(api, {}, headers);
    await api.graphql(CANCEL_EXPORT_JOB, { id: jobId }, headers);
    await watch.done;
    expect(watch.events).toEqual([
      expect.objectContaining({ type: 'CREATED', status: 'NEW', previousStatus: null, job: expect.objectContaining({ id: jobId }) }),
      expect.objectContaining({ type: 'STATUS_CHANGED', status: 'CANCELLED', previousStatus: 'NEW' }),
    ]);
    await client.dispose();
  });

  it('ends a watch of one job with its terminal event even when its status filter leaves that out', async () => {
    const headers = freshTenant();
    const { jobId } = await startExport(api, {}, headers);
    const client = subscriptionClient(api, headers);
    const watch = collect(client, { id: jobId, status: ['PROCESSING'] });
    await waitUntil(() => watch.events.length === 1);
    await api.graphql(CANCEL_EXPORT_JOB, { id: jobId }, headers);
    expect(await watch.done).toEqual({ completed: true });
    expect(watch.events.map((event) => event.type)).toEqual(['SNAPSHOT']);
    await client.dispose();
  });

  it('keeps only events in the statuses asked for', async () => {
    const headers = freshTenant();
    const client = subscriptionClient(api, headers);
    const watch = collect(client, { status: ['CANCELLED'] }, (events) => events.length === 1);
    await waitUntil(() => api.server.hub.watcherCount() > 0);
    const first = await startExport(api, {}, headers);
    await startExport(api, {}, headers);
    await api.graphql(CANCEL_EXPORT_JOB, { id: first.jobId }, headers);
    await watch.done;
    expect(watch.events).toEqual([expect.objectContaining({ status: 'CANCELLED', job: expect.objectContaining({ id: first.jobId }) })]);
    await client.dispose();
  });

  it('never lets an event of another organisation or sandbox through', async () => {
    const mine = freshTenant();
    const otherSandbox = { ...mine, 'x-sandbox-name': 'dev' };
    const client = subscriptionClient(api, mine);
    const watch = collect(client, {}, (events) => events.length === 1);
    await waitUntil(() => api.server.hub.watcherCount() > 0);
    const other = await startExport(api, {}, freshTenant());
    await api.graphql(CANCEL_EXPORT_JOB, { id: other.jobId }, freshTenant());
    await startExport(api, {}, otherSandbox);
    const { jobId } = await startExport(api, {}, mine);
    await watch.done;
    expect(watch.events.map((event) => [event.type, event.job.id, event.job.sandboxName])).toEqual([['CREATED', jobId, 'prod']]);
    await client.dispose();
  });

  it("answers NOT_FOUND for an unknown job and for another tenant's", async () => {
    const headers = freshTenant();
    const theirs = await startExport(api, {}, freshTenant());
    const client = subscriptionClient(api, headers);
    for (const id of ['987654321', theirs.jobId]) {
      const end = await collect(client, { id }).done;
      expect(end.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) })]);
    }
    await client.dispose();
  });

  it('closes a connection without an organisation with 4403', async () => {
    let closedWith: number | undefined;
    const client = subscriptionClient(api, {}, (code) => (closedWith = code));
    const end = await collect(client, {}).done;
    expect(end.completed).toBe(false);
    expect(closedWith).toBe(4403);
    await client.dispose();
  });

  it('frees its watcher when the subscriber goes away', async () => {
    const headers = freshTenant();
    const before = api.server.hub.watcherCount();
    const client = subscriptionClient(api, headers);
    collect(client, {});
    await waitUntil(() => api.server.hub.watcherCount() === before + 1);
    await client.dispose();
    await waitUntil(() => api.server.hub.watcherCount() === before);
    expect(api.server.subscriptions.clientCount()).toBe(0);
  });
});
