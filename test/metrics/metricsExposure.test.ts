/** Where /metrics answers: the main port, a port of its own (METRICS_PORT), or nowhere (METRICS=off). */
import { afterEach, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { sample, scrape } from '../helpers/metrics';
import { startTestServer, type TestServer } from '../helpers/testServer';

const [embedded] = storageTargets;
const mainPortMetrics = (api: TestServer) => api.server.url.replace(/\/graphql$/, '/metrics');

describe('where metrics are served', () => {
  const started: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((api) => api.close()));
  });
  const start = async (metrics: { enabled?: boolean; port?: number }) => {
    const api = await startTestServer(embedded!, {}, {}, {}, { metrics });
    started.push(api);
    return api;
  };

  it('serves /metrics on the main port by default, with the process metrics beside the gateway\'s', async () => {
    const api = await start({});
    expect(api.server.metricsUrl).toBe(mainPortMetrics(api));
    const response = await fetch(mainPortMetrics(api));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(sample(text, 'gateway_processes')).toBe(1);
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeDefined();
  });

  it('labels the operations of requests without a tenant `schema`: nobody authenticated chooses a label', async () => {
    const api = await start({});
    for (let i = 0; i < 3; i++) {
      const response = await fetch(api.server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `query Flood${i} { __typename }` }),
      });
      expect(response.status).toBe(200);
    }
    expect((await api.graphql('query Named { __typename }')).data).toEqual({ __typename: 'Query' });
    const text = await (await fetch(mainPortMetrics(api))).text();
    expect(text).not.toContain('Flood');
    expect(sample(text, 'gateway_graphql_request_duration_seconds_count', { operation: 'schema', outcome: 'ok' })).toBe(3);
    expect(sample(text, 'gateway_graphql_request_duration_seconds_count', { operation: 'Named', outcome: 'ok' })).toBe(1);
  });

  it('answers GET and HEAD alone on /metrics, on the main port and on METRICS_PORT', async () => {
    const api = await start({});
    const own = await start({ port: 0 });
    for (const url of [mainPortMetrics(api), own.server.metricsUrl!]) {
      const posted = await fetch(url, { method: 'POST', body: 'x' });
      expect(posted.status).toBe(405);
      expect(posted.headers.get('allow')).toBe('GET, HEAD');
      expect(await posted.text()).toBe('POST is not allowed here; use GET\n');
      const head = await fetch(url, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    }
  });

  it("gives one organisation 25 of the 100 operation labels: its flood of names leaves the others theirs", async () => {
    const api = await start({});
    const send = (org: string, name: string) =>
      fetch(api.server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-gw-ims-org-id': org, 'x-sandbox-name': 'prod' },
        body: JSON.stringify({ query: `query ${name} { __typename }` }),
      });
    // Its sandboxes are one share: the organisation names the caller.
    for (let i = 0; i < 120; i++) expect((await send('FLOOD@AdobeOrg', `Made${i}`)).status).toBe(200);
    expect((await send('OTHER@AdobeOrg', 'JobsPage')).status).toBe(200);
    const text = await (await fetch(mainPortMetrics(api))).text();
    expect(sample(text, 'gateway_graphql_request_duration_seconds_count', { operation: 'Made24', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'gateway_graphql_request_duration_seconds_count', { operation: 'Made25', outcome: 'ok' })).toBeUndefined();
    expect(sample(text, 'gateway_graphql_request_duration_seconds_count', { operation: 'other', outcome: 'ok' })).toBe(95);
    expect(sample(text, 'gateway_graphql_request_duration_seconds_count', { operation: 'JobsPage', outcome: 'ok' })).toBe(1);
  });

  it('answers 404 on /metrics with METRICS=off', async () => {
    const api = await start({ enabled: false });
    expect(api.server.metricsUrl).toBeNull();
    expect((await fetch(mainPortMetrics(api))).status).toBe(404);
    expect((await api.graphql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('serves /metrics on METRICS_PORT, and not on the main port', async () => {
    const api = await start({ port: 0 });
    const url = api.server.metricsUrl!;
    expect(new URL(url).port).not.toBe(new URL(api.server.url).port);
    await api.graphql('query Seen { __typename }');
    expect(sample(await scrape(url), 'gateway_graphql_request_duration_seconds_count', { operation: 'Seen' })).toBe(1);
    expect((await fetch(mainPortMetrics(api))).status).toBe(404);
    expect((await fetch(url.replace(/\/metrics$/, '/graphql'))).status).toBe(404);
  });
});
