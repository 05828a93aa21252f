/**
 * The embedded default while it exports: PGlite runs on a thread of its own
 * and statements are short, so the API, the WebSockets and cancellation keep
 * answering. Waits are bounded at ten times the targets (the targets
 * themselves are checked by `npm run bench:export`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { seedProfiles } from '../../src/profiles/seedProfiles';
import { CANCEL_EXPORT_JOB } from '../fixtures/operations';
import { storageTargets } from '../helpers/databases';
import { startExport, waitForJob } from '../helpers/exportFlow';
import { collect, subscriptionClient } from '../helpers/subscriptions';
import { startTestServer, TENANT, type TestServer } from '../helpers/testServer';

const pglite = storageTargets.find((target) => target.name === 'pglite')!;
const PROFILES = 60_000;
// Ten times the targets of issue 9: p99 < 100 ms, a socket answered within 100 ms, a cancel seen within 1 s.
const REQUEST_BOUND_MS = 1_000;
const SOCKET_BOUND_MS = 1_000;
const CANCEL_BOUND_MS = 10_000;

const STATUS = /* GraphQL */ `query Status($id: ID!) { exportJob(id: $id) { status progress { processedProfiles } } }`;

describe('the embedded database while an export runs', () => {
  let api: TestServer;

  beforeAll(async () => {
    // The runner as `npm start` runs it: defaults but for a quicker poll.
    api = await startTestServer(pglite, { concurrency: 4, chunkSize: 2_000, chunkTargetMs: 70, leaseMs: 30_000 });
    await seedProfiles(api.database, { orgId: TENANT['x-gw-ims-org-id'], sandboxName: 'prod' }, PROFILES);
  }, 120_000);
  afterAll(() => api?.close());

  /** Starts an export of every profile, whole documents and events (the heaviest kind), once it is running. */
  async function runningExport(): Promise<string> {
    const { jobId } = await startExport(api, { filter: { emptyProfiles: true }, additionalFields: { eventList: {} } });
    await expect
      .poll(async () => (await api.graphql(STATUS, { id: jobId })).data!.exportJob.progress.processedProfiles, {
        timeout: 30_000,
        interval: 20,
      })
      .toBeGreaterThan(0);
    return jobId;
  }

  async function statusOf(jobId: string): Promise<string> {
    return (await api.graphql(STATUS, { id: jobId })).data!.exportJob.status as string;
  }

  it('answers exportJob(id) at 50 req/s without long waits while the export runs', async () => {
    const jobId = await runningExport();
    const latencies: number[] = [];
    const requests: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      const sentAt = performance.now();
      requests.push(
        api.graphql(STATUS, { id: jobId }).then((response) => {
          expect(response.errors).toBeUndefined();
          latencies.push(performance.now() - sentAt);
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await Promise.all(requests);
    // Measured during the export, not after it.
    expect(await statusOf(jobId)).toBe('PROCESSING');
    expect(Math.max(...latencies)).toBeLessThan(REQUEST_BOUND_MS);
    await api.graphql(CANCEL_EXPORT_JOB, { id: jobId });
    await waitForJob(api, jobId);
  });

  it('acknowledges a new WebSocket, or closes one without an organisation, while the export runs', async () => {
    const jobId = await runningExport();

    let startedAt = performance.now();
    const ackMs = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(api.server.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
      socket.on('open', () => {
        startedAt = performance.now();
        socket.send(JSON.stringify({ type: 'connection_init', payload: TENANT }));
      });
      socket.on('message', (data) => {
        if (JSON.parse(String(data)).type === 'connection_ack') {
          resolve(performance.now() - startedAt);
          socket.close();
        }
      });
      socket.on('error', reject);
    });
    const refused = await new Promise<{ code: number; ms: number }>((resolve, reject) => {
      const socket = new WebSocket(api.server.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
      socket.on('open', () => {
        startedAt = performance.now();
        socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
      });
      socket.on('close', (code) => resolve({ code, ms: performance.now() - startedAt }));
      socket.on('error', reject);
    });

    expect(await statusOf(jobId)).toBe('PROCESSING');
    expect(ackMs).toBeLessThan(SOCKET_BOUND_MS);
    expect(refused.code).toBe(4403);
    expect(refused.ms).toBeLessThan(SOCKET_BOUND_MS);
    await api.graphql(CANCEL_EXPORT_JOB, { id: jobId });
    await waitForJob(api, jobId);
  });

  it('streams the progress of a running export to a watcher, and its end when cancelled mid-way', async () => {
    const jobId = await runningExport();
    const client = subscriptionClient(api, TENANT);
    try {
      const watch = collect(client, { id: jobId });
      // Progress that moves: a later PROGRESS event with more profiles read than the first (one
      // event may only announce the counted total, with the same profiles read).
      const progressed = () => {
        const progress = watch.events.filter((event) => event.type === 'PROGRESS');
        return progress.length > 1 && progress.at(-1)!.progress.processedProfiles > progress[0]!.progress.processedProfiles;
      };
      await expect.poll(progressed, { timeout: 30_000 }).toBe(true);

      const cancelledAt = performance.now();
      const cancel = await api.graphql(CANCEL_EXPORT_JOB, { id: jobId });
      expect(cancel.data!.cancelExportJob.job.status).toBe('CANCELLING');
      const ending = await watch.done;
      const seenWithin = performance.now() - cancelledAt;

      expect(ending).toEqual({ completed: true });
      expect(watch.events.at(-1)).toMatchObject({ type: 'STATUS_CHANGED', previousStatus: 'CANCELLING', status: 'CANCELLED' });
      expect(watch.events.at(-1).progress.processedProfiles).toBeLessThan(PROFILES);
      expect(seenWithin).toBeLessThan(CANCEL_BOUND_MS);
    } finally {
      await client.dispose();
    }
  });
});
