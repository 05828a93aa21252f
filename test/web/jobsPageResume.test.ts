/// <reference lib="dom" />
/**
 * The /jobs page after its WebSocket drops: it resumes the tenant's event stream
 * after the last event it received (`jobStatusChanged(after:)`), so the server
 * replays exactly what it missed, and reloads the list only when that is refused.
 */
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyCursorEncoder } from '../../src/pagination/cursor';
import { seedProfiles } from '../../src/profiles/seedProfiles';
import { CANCEL_EXPORT_JOB } from '../fixtures/operations';
import { recordPageErrors, startBrowserSession, type BrowserSession } from '../helpers/browser';
import { storageTargets } from '../helpers/databases';
import { waitForJob } from '../helpers/exportFlow';
import { createDataset, createJob } from '../helpers/seedApi';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy';
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

/** The ids of the tenant's stored events after `after` (all of them when null), oldest first. */
async function storedEventIds(api: TestServer, filter: { jobId?: string; after?: string | null }): Promise<string[]> {
  const response = await api.graphql(JOB_EVENTS, filter, HEADERS);
  expect(response.errors).toBeUndefined();
  expect(response.data!.jobEvents.pageInfo.hasNextPage).toBe(false);
  return response.data!.jobEvents.edges.map((edge: { node: { id: string } }) => edge.node.id);
}

/** A job run to its end while the page is live, every event of it received: the page has a place in the stream. */
async function runJobWhileLive(api: TestServer, datasetId: string, page: Page, log: StreamLog): Promise<string> {
  const { id } = await createJob(api, datasetId, HEADERS, ALL_PROFILES);
  await waitForJob(api, id, ['SUCCEEDED'], HEADERS);
  const last = (await storedEventIds(api, { jobId: id })).at(-1)!;
  await waitUntil(() => log.events.includes(last));
  await row(page, id).locator('.status[data-status="SUCCEEDED"]').waitFor();
  return id;
}

describe.each(storageTargets)('the /jobs page reconnecting on $name', (target) => {
  let api: TestServer;
  let session: BrowserSession;
  // The page is opened through it: cut, the page's WebSocket ends as on a network failure,
  // and the page stays away (its reconnects held) while the test acts.
  let relay: TcpProxy;
  let datasetId: string;

  beforeAll(async () => {
    // One job at a time per tenant: a job created behind a running one waits, NEW, to be cancelled.
    session = await startBrowserSession(target, { concurrency: 1, tenantLimit: 1, chunkSize: 50 });
    api = session.api;
    relay = await startTcpProxy(api.server.port, { whileCut: 'hold' });
    await seedProfiles(api.database, PAGE_TENANT, PROFILES);
    datasetId = await createDataset(api, HEADERS, 'Resumed export');
  }, 60_000);
  afterAll(async () => {
    await relay?.close();
    await session?.close();
  });

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
    const seen = await runJobWhileLive(api, datasetId, page, log);
    const lastBeforeCut = log.events.at(-1)!;
    const receivedBeforeCut = log.events.length;

    await cutOff(page);
    // While it is away: one job runs to its end, another is created and cancelled.
    const { id: succeeded } = await createJob(api, datasetId, HEADERS, ALL_PROFILES);
    const { id: cancelled } = await createJob(api, datasetId, HEADERS, ALL_PROFILES);
    expect((await api.graphql(CANCEL_EXPORT_JOB, { id: cancelled }, HEADERS)).errors).toBeUndefined();
    await waitForJob(api, cancelled, ['CANCELLED'], HEADERS);
    await waitForJob(api, succeeded, ['SUCCEEDED'], HEADERS);
    const missed = await storedEventIds(api, { after: lastBeforeCut });
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
    await runJobWhileLive(api, datasetId, page, log);
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

describe('the /jobs page when its server misses live events, on PostgreSQL', () => {
  let session: BrowserSession;
  let datasetId: string;
  beforeAll(async () => {
    session = await startBrowserSession(storageTargets.find((target) => target.name === 'postgres')!, {
      concurrency: 1,
      tenantLimit: 1,
      chunkSize: 50,
    });
    await seedProfiles(session.api.database, PAGE_TENANT, PROFILES);
    datasetId = await createDataset(session.api, HEADERS, 'Gap');
  }, 60_000);
  afterAll(() => session?.close());

  it('follows again after the last event it received when the server ends the stream with SERVICE_UNAVAILABLE', async () => {
    const { api } = session;
    const page = await session.browser.newPage();
    const errors = recordPageErrors(page);
    const loads = recordListLoads(page);
    const log = recordStream(page);
    await page.goto(`http://127.0.0.1:${api.server.port}/jobs?org=${encodeURIComponent(PAGE_TENANT.orgId)}&sandbox=prod`);
    await page.locator('#connection[data-state="live"]').waitFor();
    await runJobWhileLive(api, datasetId, page, log);
    const lastBeforeGap = log.events.at(-1)!;

    // The server's LISTEN connection ends (as in a failover): when it listens again, it ends
    // every subscription with SERVICE_UNAVAILABLE, since events may have gone unheard.
    const [ended] = await api.database.db.execute<{ n: number }>(sql`
      select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
      where datname = current_database() and query ~* '^listen '`);
    expect(ended!.n).toBe(1);
    const { id: next } = await createJob(api, datasetId, HEADERS, ALL_PROFILES);

    await waitUntil(() => log.subscribes.length === 2, 10_000);
    expect(log.subscribes).toEqual([null, lastBeforeGap]);
    await row(page, next).locator('.status[data-status="SUCCEEDED"]').waitFor({ timeout: 20_000 });
    await expect(page.locator('#connection').getAttribute('data-state')).resolves.toBe('live');
    await expect(page.locator('#message').textContent()).resolves.toBe('');
    expect(loads).toHaveLength(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
