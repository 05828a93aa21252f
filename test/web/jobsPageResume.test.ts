/// <reference lib="dom" />
/**
 * The /jobs page after its WebSocket drops: it resumes the tenant's event stream
 * after the last event it received (`jobStatusChanged(after:)`), so the server
 * replays exactly what it missed, and reloads the list only when that is refused.
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyCursorEncoder } from '../../src/pagination/cursor';
import { seedProfiles } from '../../src/profiles/seedProfiles';
import { CANCEL_EXPORT_JOB } from '../fixtures/operations';
import { recordPageErrors, startBrowserSession, type BrowserSession } from '../helpers/browser';
import { storageTargets } from '../helpers/databases';
import { waitForJob } from '../helpers/exportFlow';
import { createDataset, createJob } from '../helpers/seedApi';
import type { TestServer } from '../helpers/testServer';
import { waitUntil } from '../helpers/waitUntil';
import { recordCspViolations } from './cspViolations';

const PAGE_TENANT = { orgId: 'ORG_JOBS_RESUME@AdobeOrg', sandboxName: 'prod' };
const HEADERS = { 'x-gw-ims-org-id': PAGE_TENANT.orgId, 'x-sandbox-name': PAGE_TENANT.sandboxName };
const PROFILES = 1_000;
// Every profile, so a job runs long enough to make progress events.
const ALL_PROFILES = { filter: null, fields: null };

const JOB_EVENTS = /* GraphQL */ `
  query ($jobId: ID, $after: String) {
    jobEvents(jobId: $jobId, first: 100, after: $after) { edges { node { id } } pageInfo { hasNextPage } }
  }
`;

/**
 * A TCP relay in front of the test server, which the page is opened through. `cut()`
 * drops every connection (the page's WebSocket ends as on a network failure, with no
 * close frame) and holds new ones until `restore()`, so the page stays away while the
 * test acts, and reconnects as soon as the way is open again.
 */
interface Relay {
  /** `http://127.0.0.1:port` of the relay. */
  origin: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

async function startRelay(port: number): Promise<Relay> {
  const open = new Set<Socket>();
  let held: Socket[] | null = null;
  const pass = (client: Socket) => {
    if (client.destroyed) return;
    const upstream = connect(port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        open.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  };
  const server = createServer((client) => {
    client.on('error', () => {});
    if (held) held.push(client);
    else pass(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut: () => {
      held ??= [];
      for (const socket of open) socket.destroy();
    },
    restore: () => {
      const waiting = held ?? [];
      held = null;
      waiting.forEach(pass);
    },
    close: async () => {
      for (const socket of [...open, ...(held ?? [])]) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The page's loads of the job list: POSTs of the `exportJobs` query. */
function recordListLoads(page: Page): string[] {
  const loads: string[] = [];
  page.on('request', (request) => {
    const body = request.postData() ?? '';
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/graphql' && body.includes('exportJobs')) {
      loads.push(body);
    }
  });
  return loads;
}

interface StreamLog {
  /** The `after` of each subscribe message the page sent, in order. */
  subscribes: (string | null)[];
  /** The `id` of each event the page received, in order. */
  events: string[];
}

/** What the page's WebSockets carry of the job stream, read from their frames. */
function recordStream(page: Page): StreamLog {
  const log: StreamLog = { subscribes: [], events: [] };
  page.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => {
      const message = JSON.parse(String(payload));
      if (message.type === 'subscribe') log.subscribes.push(message.payload.variables?.after ?? null);
    });
    socket.on('framereceived', ({ payload }) => {
      const message = JSON.parse(String(payload));
      const event = message.type === 'next' ? message.payload.data?.jobStatusChanged : undefined;
      if (event) log.events.push(event.id);
    });
  });
  return log;
}

const row = (page: Page, jobId: string) => page.locator(`tr[data-job-id="${jobId}"]`);

describe.each(storageTargets)('the /jobs page reconnecting on $name', (target) => {
  let api: TestServer;
  let session: BrowserSession;
  let relay: Relay;
  let datasetId: string;

  beforeAll(async () => {
    // One job at a time per tenant: a job created behind a running one waits, NEW, to be cancelled.
    session = await startBrowserSession(target, { concurrency: 1, tenantLimit: 1, chunkSize: 50 });
    api = session.api;
    relay = await startRelay(api.server.port);
    await seedProfiles(api.database, PAGE_TENANT, PROFILES);
    datasetId = await createDataset(api, HEADERS, 'Resumed export');
  }, 60_000);
  afterAll(async () => {
    await relay?.close();
    await session?.close();
  });

  /** The ids of the tenant's stored events after `after` (all of them when null), oldest first. */
  async function storedEventIds(filter: { jobId?: string; after?: string | null }): Promise<string[]> {
    const response = await api.graphql(JOB_EVENTS, filter, HEADERS);
    expect(response.errors).toBeUndefined();
    expect(response.data!.jobEvents.pageInfo.hasNextPage).toBe(false);
    return response.data!.jobEvents.edges.map((edge: { node: { id: string } }) => edge.node.id);
  }

  /** A job run to its end while the page is live, every event of it received: the page has a place in the stream. */
  async function runJobWhileLive(page: Page, log: StreamLog): Promise<string> {
    const { id } = await createJob(api, datasetId, HEADERS, ALL_PROFILES);
    await waitForJob(api, id, ['SUCCEEDED'], HEADERS);
    const last = (await storedEventIds({ jobId: id })).at(-1)!;
    await waitUntil(() => log.events.includes(last));
    await row(page, id).locator('.status[data-status="SUCCEEDED"]').waitFor();
    return id;
  }

  /** Cuts the page off and waits until it knows it is away: nothing reaches it until `relay.restore()`. */
  async function cutOff(page: Page): Promise<void> {
    relay.cut();
    await page.locator('#connection[data-state="offline"]').waitFor();
  }

  it('resumes after the last event it received and shows the jobs it missed, without reloading the list', async () => {
    const page = await session.browser.newPage();
    const errors = recordPageErrors(page);
    const violations = await recordCspViolations(page);
    const loads = recordListLoads(page);
    const log = recordStream(page);
    await page.goto(`${relay.origin}/jobs?org=${encodeURIComponent(PAGE_TENANT.orgId)}&sandbox=prod`);
    await page.locator('#connection[data-state="live"]').waitFor();
    const seen = await runJobWhileLive(page, log);
    const lastBeforeCut = log.events.at(-1)!;
    const receivedBeforeCut = log.events.length;

    await cutOff(page);
    // While it is away: one job runs to its end, another is created and cancelled.
    const { id: succeeded } = await createJob(api, datasetId, HEADERS, ALL_PROFILES);
    const { id: cancelled } = await createJob(api, datasetId, HEADERS, ALL_PROFILES);
    expect((await api.graphql(CANCEL_EXPORT_JOB, { id: cancelled }, HEADERS)).errors).toBeUndefined();
    await waitForJob(api, cancelled, ['CANCELLED'], HEADERS);
    await waitForJob(api, succeeded, ['SUCCEEDED'], HEADERS);
    const missed = await storedEventIds({ after: lastBeforeCut });
    expect(missed.length).toBeGreaterThan(4); // two creations, a start, progress, an end, a cancellation
    expect(log.events).toHaveLength(receivedBeforeCut);

    relay.restore();
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: 20_000 });
    await row(page, succeeded).locator('.status[data-status="SUCCEEDED"]').waitFor();
    await row(page, succeeded).locator('.bar[aria-valuenow="100"]').waitFor();
    await row(page, cancelled).locator('.status[data-status="CANCELLED"]').waitFor();
    await expect(row(page, cancelled).locator('button.cancel').isDisabled()).resolves.toBe(true);
    await expect(row(page, seen).getAttribute('data-status')).resolves.toBe('SUCCEEDED');
    // It subscribed again after that event, and did not reload the list: the one load is the first.
    expect(log.subscribes).toEqual([null, lastBeforeCut]);
    expect(loads).toHaveLength(1);
    // Exactly what it missed, in order: every stored event after its last one, none twice.
    await waitUntil(() => log.events.length >= receivedBeforeCut + missed.length);
    expect(log.events.slice(receivedBeforeCut)).toEqual(missed);

    // Still live on the resumed subscription.
    const { id: after } = await createJob(api, datasetId, HEADERS, ALL_PROFILES);
    await row(page, after).locator('.status[data-status="SUCCEEDED"]').waitFor({ timeout: 20_000 });
    expect(loads).toHaveLength(1);
    expect(errors).toEqual([]);
    expect(violations).toEqual([]);
    await page.close();
  }, 60_000);

  it('reloads the list and goes live again when the server refuses to resume', async () => {
    const page = await session.browser.newPage();
    const errors = recordPageErrors(page);
    const loads = recordListLoads(page);
    // The page's WebSocket through a route that replaces the `after` of a resume with a
    // cursor of another tenant, which the server refuses (BAD_USER_INPUT): the page cannot
    // know what it missed. The route also records what the page sent and received.
    const foreign = keyCursorEncoder('event', { orgId: 'ORG_SOMEONE_ELSE@AdobeOrg', sandboxName: 'prod' })('1');
    const log: StreamLog = { subscribes: [], events: [] };
    const refusals: string[] = [];
    await page.routeWebSocket(/\/graphql$/, (socket) => {
      const server = socket.connectToServer();
      socket.onMessage((text) => {
        const message = JSON.parse(String(text));
        if (message.type === 'subscribe') {
          log.subscribes.push(message.payload.variables?.after ?? null);
          if (message.payload.variables?.after) message.payload.variables.after = foreign;
        }
        server.send(JSON.stringify(message));
      });
      server.onMessage((text) => {
        const message = JSON.parse(String(text));
        const event = message.type === 'next' ? message.payload.data?.jobStatusChanged : undefined;
        if (event) log.events.push(event.id);
        for (const error of message.payload?.errors ?? []) refusals.push(error.extensions?.code);
        socket.send(String(text));
      });
    });
    await page.goto(`${relay.origin}/jobs?org=${encodeURIComponent(PAGE_TENANT.orgId)}&sandbox=prod`);
    await page.locator('#connection[data-state="live"]').waitFor();
    await runJobWhileLive(page, log);
    expect(loads).toHaveLength(1);

    await cutOff(page);
    const { id: missed } = await createJob(api, datasetId, HEADERS, ALL_PROFILES);
    await waitForJob(api, missed, ['SUCCEEDED'], HEADERS);
    relay.restore();

    // Refused, it loads the list afresh (which has the job it missed) and subscribes from now.
    await row(page, missed).locator('.status[data-status="SUCCEEDED"]').waitFor({ timeout: 20_000 });
    await waitUntil(() => log.subscribes.length === 3);
    expect(log.subscribes).toEqual([null, expect.any(String), null]);
    expect(refusals).toEqual(['BAD_USER_INPUT']);
    expect(loads).toHaveLength(2);
    await expect(page.locator('#connection').getAttribute('data-state')).resolves.toBe('live');
    await expect(page.locator('#message').textContent()).resolves.toBe('');

    // Live again: a new job shows, and moves, without another load.
    const { id: next } = await createJob(api, datasetId, HEADERS, ALL_PROFILES);
    await row(page, next).locator('.status[data-status="SUCCEEDED"]').waitFor({ timeout: 20_000 });
    expect(loads).toHaveLength(2);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
