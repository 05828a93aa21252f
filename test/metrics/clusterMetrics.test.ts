/** SERVER_PROCESSES=2: every scrape answers for both processes, summed by the cluster's primary. */
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../helpers/databases';
import { sample, scrape } from '../helpers/metrics';
import { startService, stopService, type ServiceProcess } from '../helpers/processes';
import { waitUntil } from '../helpers/waitUntil';

const REQUESTS = 20;

/** A POST on a connection of its own, so that the cluster hands each to the next worker in turn. */
function postOnNewConnection(url: string, query: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ query });
    const req = request(
      url,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-gw-ims-org-id': 'ORG_A@AdobeOrg' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The cluster workers of a server's primary: its child processes. */
function childPids(parent: number): number[] {
  return execFileSync('ps', ['-o', 'pid=', '--ppid', String(parent)], { encoding: 'utf8' })
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((pid) => pid > 0);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('metrics across the server processes (SERVER_PROCESSES) on PostgreSQL', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function serve(env: Record<string, string>): Promise<ServiceProcess> {
    const database = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    const server = await startService('serve', { DATABASE_URL: database.url, SERVER_PROCESSES: '2', ...env }, { times: 2 });
    cleanups.push(() => stopService(server));
    return server;
  }

  async function sendCounted(url: string): Promise<void> {
    for (let i = 0; i < REQUESTS; i++) expect(await postOnNewConnection(url, 'query Counted { __typename }')).toBe(200);
  }

  it('answers /metrics on the main port with the sum of both processes', async () => {
    const server = await serve({});
    await sendCounted(server.url);
    // Whichever worker gets the scrape, it answers with the primary's aggregate.
    for (let i = 0; i < 2; i++) {
      const text = await scrape(server.url.replace(/\/graphql$/, '/metrics'));
      expect(sample(text, 'gateway_processes')).toBe(2);
      expect(sample(text, 'gateway_graphql_request_duration_seconds_count', { operation: 'Counted' })).toBe(REQUESTS);
    }
  });

  it('serves the aggregate from the primary on METRICS_PORT', async () => {
    const port = await freePort();
    const server = await serve({ METRICS_PORT: String(port) });
    await sendCounted(server.url);
    const text = await scrape(`http://127.0.0.1:${port}/metrics`);
    expect(sample(text, 'gateway_processes')).toBe(2);
    expect(sample(text, 'gateway_graphql_request_duration_seconds_count', { operation: 'Counted' })).toBe(REQUESTS);
    expect((await fetch(server.url.replace(/\/graphql$/, '/metrics'))).status).toBe(404);
  });

  it('keeps counters and histograms from going backwards when a server process dies and is replaced', { timeout: 90_000 }, async () => {
    const server = await serve({});
    // Both workers were forked before their start was logged.
    const forkedBy = Date.now();
    const metricsUrl = server.url.replace(/\/graphql$/, '/metrics');
    await sendCounted(server.url);
    for (let i = 0; i < REQUESTS; i++) await postOnNewConnection(server.url, 'query Broken { noSuchField }');
    const before = await scrape(metricsUrl);
    const counted = { operation: 'Counted' };
    const invalid = { code: 'GRAPHQL_VALIDATION_FAILED' };
    expect(sample(before, 'gateway_graphql_request_duration_seconds_count', counted)).toBe(REQUESTS);
    expect(sample(before, 'gateway_graphql_errors_total', invalid)).toBe(REQUESTS);

    // The primary restarts only a worker that lived MIN_UPTIME_FOR_RESTART_MS (10 s, src/serverProcesses.ts):
    // one that died sooner would only die again. So this test waits that long before the kill.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, forkedBy + 10_500 - Date.now())));
    const [victim] = childPids(server.child.pid!);
    expect(victim).toBeDefined();
    process.kill(victim!, 'SIGKILL');
    await waitUntil(() => server.output().includes('"Worker died"') && server.output().split('gateway ready').length > 3, 30_000);

    // Each worker served about half of the requests: without the dead one's figures the sums would fall.
    const after = await scrape(metricsUrl);
    expect(sample(after, 'gateway_processes')).toBe(2);
    expect(sample(after, 'gateway_graphql_request_duration_seconds_count', counted)).toBe(REQUESTS);
    expect(sample(after, 'gateway_graphql_request_duration_seconds_bucket', { ...counted, le: '+Inf' })).toBe(REQUESTS);
    expect(sample(after, 'gateway_graphql_request_duration_seconds_sum', counted)).toBeGreaterThanOrEqual(
      sample(before, 'gateway_graphql_request_duration_seconds_sum', counted)!,
    );
    expect(sample(after, 'gateway_graphql_errors_total', invalid)).toBe(REQUESTS);
    expect(sample(after, 'process_cpu_seconds_total')).toBeGreaterThanOrEqual(sample(before, 'process_cpu_seconds_total')!);

    // The replacement's own requests add to what the dead one left.
    await sendCounted(server.url);
    expect(sample(await scrape(metricsUrl), 'gateway_graphql_request_duration_seconds_count', counted)).toBe(2 * REQUESTS);
  });

  it('answers a scrape without a process that does not answer, with the counts it last gave', { timeout: 90_000 }, async () => {
    const port = await freePort();
    const server = await serve({ METRICS_PORT: String(port) });
    const metricsUrl = `http://127.0.0.1:${port}/metrics`;
    await sendCounted(server.url);
    expect(sample(await scrape(metricsUrl), 'gateway_processes')).toBe(2);
    const [stopped] = childPids(server.child.pid!);
    process.kill(stopped!, 'SIGSTOP');
    cleanups.push(async () => process.kill(stopped!, 'SIGCONT'));

    // The primary waits 5 s for it, then answers with the others' figures and its last counts.
    const text = await scrape(metricsUrl);
    expect(sample(text, 'gateway_processes')).toBe(1);
    expect(sample(text, 'gateway_graphql_request_duration_seconds_count', { operation: 'Counted' })).toBe(REQUESTS);
    expect(server.output()).toContain('did not answer for its metrics in time');
  });
});
