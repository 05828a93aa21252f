/** SERVER_PROCESSES=2: every scrape answers for both processes, summed by the cluster's primary. */
import { request } from 'node:http';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../helpers/databases';
import { sample, scrape } from '../helpers/metrics';
import { startService, stopService, type ServiceProcess } from '../helpers/processes';

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
});
