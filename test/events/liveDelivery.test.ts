/**
 * A watch that hands its events over as they come (`JobWatch.deliverLive`, what
 * every graphql-ws subscription uses): the same events as a pulled watch, in
 * order, ended by the job's terminal event; a congested consumer skips progress
 * and nothing else. A fan-out that is behind skips progress that a newer
 * progress of the same job already follows, and nothing else.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEventListener } from '../../src/events/eventBus';
import type { JobEvent } from '../../src/events/jobEvent';
import { createJobEventHub } from '../../src/events/jobEventHub';
import type { WatchedJobEvent } from '../../src/events/watchedJobEvent';
import { storageTargets } from '../helpers/databases';
import { ingest, startExport, type ProfileSpec } from '../helpers/exportFlow';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { startTestRunner } from '../helpers/testRunner';

let tenants = 0;
const freshTenant = () => {
  const orgId = `ORG_LIVE_${++tenants}@AdobeOrg`;
  return { headers: { 'x-gw-ims-org-id': orgId, 'x-sandbox-name': 'prod' }, tenant: { orgId, sandboxName: 'prod' } };
};
const profiles: ProfileSpec[] = Array.from({ length: 300 }, (_, i) => ({ profileId: `p${String(i).padStart(4, '0')}` }));
const summary = (events: WatchedJobEvent[]) => events.map((event) => `${event.type}:${event.status}`);

describe.each(storageTargets)('live delivery of a watch on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target, { concurrency: 0 });
  });
  afterAll(() => api?.close());

  it('gives a pulled watch’s events, skips progress only while congested, and ends with the job', async () => {
    const { headers, tenant } = freshTenant();
    await ingest(api, profiles, headers);
    const { jobId } = await startExport(api, {}, headers);
    const pulled = await api.server.hub.watch({ tenant, jobId });
    const flowing = await api.server.hub.watch({ tenant, jobId });
    const congested = await api.server.hub.watch({ tenant, jobId });
    const received = { pulled: [] as WatchedJobEvent[], flowing: [] as WatchedJobEvent[], congested: [] as WatchedJobEvent[] };
    const pulling = (async () => {
      for await (const event of pulled) received.pulled.push(event);
    })();
    const flowingEnded = flowing.deliverLive({ deliver: (event) => received.flowing.push(event), congested: () => false });
    // Congested from its first event on (before it, a replay would wait for it to drain).
    const congestedEnded = congested.deliverLive({
      deliver: (event) => received.congested.push(event),
      congested: () => received.congested.length > 0,
    });

    const runner = startTestRunner(api, { concurrency: 1, chunkSize: 5 });
    await Promise.all([pulling, flowingEnded, congestedEnded]);
    await runner.stop();

    expect(summary(received.flowing)).toEqual(summary(received.pulled));
    expect(received.flowing.map((event) => event.sequence)).toEqual(received.pulled.map((event) => event.sequence));
    expect(received.flowing.filter((event) => event.type === 'PROGRESS').length).toBeGreaterThan(0);
    expect(summary(received.congested)).toEqual(summary(received.pulled.filter((event) => event.type !== 'PROGRESS')));
    expect(summary(received.congested)).toEqual([
      'SNAPSHOT:NEW',
      'STATUS_CHANGED:PROCESSING',
      'STATUS_CHANGED:SUCCEEDED',
    ]);
    expect(api.server.hub.watcherCount()).toBe(0);
  });

  it("forgets in a tenant's watch the jobs that ended, and keeps those still running", async () => {
    const { headers, tenant } = freshTenant();
    await ingest(api, profiles, headers);
    const watch = await api.server.hub.watch({ tenant });
    const received: WatchedJobEvent[] = [];
    const ended = watch.deliverLive({ deliver: (event) => received.push(event), congested: () => false });
    const jobs = [await startExport(api, {}, headers), await startExport(api, {}, headers)];
    await expect.poll(() => received.length).toBe(2);
    expect(watch.trackedJobs()).toBe(2);
    const runner = startTestRunner(api, { concurrency: 1, chunkSize: 50 });
    await expect.poll(() => received.filter((event) => event.status === 'SUCCEEDED' && event.type === 'STATUS_CHANGED').length, { timeout: 20_000 }).toBe(2);
    await runner.stop();
    expect(watch.trackedJobs()).toBe(0);
    expect(new Set(received.map((event) => String(event.job.id)))).toEqual(new Set(jobs.map((job) => job.jobId)));
    await watch.return!();
    await ended;
  });

  it('hands over what queued before it started, then ends at return()', async () => {
    const { headers, tenant } = freshTenant();
    const watch = await api.server.hub.watch({ tenant });
    // Queued in the watch's channel: nobody pulls yet.
    const { jobId } = await startExport(api, {}, headers);
    const received: WatchedJobEvent[] = [];
    const ended = watch.deliverLive({ deliver: (event) => received.push(event), congested: () => false });
    await expect.poll(() => summary(received)).toEqual(['CREATED:NEW']);
    expect(String(received[0]!.job.id)).toBe(jobId);
    await watch.return!();
    await ended;
    expect(api.server.hub.watcherCount()).toBe(0);
  });

  /** A hub of its own on a bus driven by hand: events arrive as fast as the test emits them. */
  async function handDrivenHub(tenant: { orgId: string; sandboxName: string }, jobId: string) {
    let emit!: JobEventListener;
    const bus = { subscribe: (listener: JobEventListener) => ((emit = listener), () => {}), onMissedEvents: () => () => {} };
    const registers = [new Registry()];
    const metrics = {
      deliveryLag: new Histogram({ name: 'lag_seconds', help: 'lag', registers }),
      progressSkipped: new Counter({ name: 'skipped_total', help: 'skipped', registers }),
    };
    const errors: string[] = [];
    const hub = createJobEventHub(api.database.db, bus, { info() {}, warn() {}, error: (message) => errors.push(message) }, metrics);
    const event = (sequence: number, type: JobEvent['type'], status: JobEvent['status'], percent: number): JobEvent => ({
      id: 1_000 + sequence,
      type,
      jobId: Number(jobId),
      ...tenant,
      status,
      previousStatus: type === 'STATUS_CHANGED' ? 'PROCESSING' : null,
      progress: { processedProfiles: percent, totalProfiles: 100, percent },
      sequence,
      occurredAt: new Date(),
    });
    return { hub, metrics, errors, emit: (...args: Parameters<typeof event>) => emit(event(...args)) };
  }

  it('skips a progress event that a newer one of the same job and status follows, never a status change', async () => {
    const { headers, tenant } = freshTenant();
    const { jobId } = await startExport(api, {}, headers);
    const { hub, metrics, emit } = await handDrivenHub(tenant, jobId);
    const watch = await hub.watch({ tenant });
    const received: WatchedJobEvent[] = [];
    const ended = watch.deliverLive({ deliver: (event) => received.push(event), congested: () => false });
    // All five arrive before the hub's first read of the job answers.
    emit(2, 'PROGRESS', 'PROCESSING', 10);
    emit(3, 'PROGRESS', 'PROCESSING', 20);
    emit(4, 'PROGRESS', 'PROCESSING', 30);
    emit(5, 'STATUS_CHANGED', 'SUCCEEDED', 100);
    emit(6, 'PROGRESS', 'SUCCEEDED', 100);
    await expect.poll(() => received.length).toBe(3);
    expect(received.map((seen) => `${seen.sequence}:${seen.type}`)).toEqual(['4:PROGRESS', '5:STATUS_CHANGED', '6:PROGRESS']);
    expect((await metrics.progressSkipped.get()).values[0]!.value).toBe(2);
    // Once it has caught up, every progress event goes out.
    emit(7, 'PROGRESS', 'SUCCEEDED', 100);
    await expect.poll(() => received.length).toBe(4);
    hub.close();
    await ended;
  });

  it('ends a consumer whose delivery throws, and hands the event to the others all the same', async () => {
    const { headers, tenant } = freshTenant();
    const { jobId } = await startExport(api, {}, headers);
    const { hub, errors, emit } = await handDrivenHub(tenant, jobId);
    const failing = await hub.watch({ tenant });
    const healthy = await hub.watch({ tenant });
    const received: number[] = [];
    const failingEnded = failing.deliverLive({
      deliver: () => {
        throw new Error('socket gone');
      },
      congested: () => false,
    });
    const healthyEnded = healthy.deliverLive({ deliver: (event) => received.push(event.sequence), congested: () => false });
    emit(2, 'STATUS_CHANGED', 'PROCESSING', 0);
    // It ends with the error, not as if its events were over (graphql-ws then sends `error`, not `complete`).
    await expect(failingEnded).rejects.toThrow('socket gone');
    await expect.poll(() => received).toEqual([2]);
    expect(errors).toEqual(['Handing a job event to a subscriber failed']);
    expect(hub.watcherCount()).toBe(1);
    emit(3, 'STATUS_CHANGED', 'SUCCEEDED', 100);
    await expect.poll(() => received).toEqual([2, 3]);
    hub.close();
    await healthyEnded;
  });

  it('frees the watcher when handing over what queued before it started throws', async () => {
    const { headers, tenant } = freshTenant();
    const watch = await api.server.hub.watch({ tenant });
    const before = api.server.hub.watcherCount();
    await startExport(api, {}, headers);
    await expect.poll(() => watch.queued()).toBe(1);
    const failed = watch.deliverLive({
      deliver: () => {
        throw new Error('socket gone');
      },
      congested: () => false,
    });
    await expect(failed).rejects.toThrow('socket gone');
    expect(api.server.hub.watcherCount()).toBe(before - 1);
  });
});
