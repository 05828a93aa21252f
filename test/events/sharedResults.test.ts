/**
 * Subscribers share one result per event and operation
 * (http/sharedSubscriptionExecution.ts), but only within one sharing scope
 * (`sharingScopeOf`): a field that depends on what differs between
 * subscribers — here a download link's origin, from the Host each client
 * connected with — must never hand one subscriber's answer to another.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_EXPORT_JOB } from '../fixtures/operations';
import { storageTargets } from '../helpers/databases';
import { ingest, startExport, waitForJob } from '../helpers/exportFlow';
import { jobInput } from '../helpers/seedApi';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { waitUntil } from '../helpers/waitUntil';

const HEADERS = { 'x-gw-ims-org-id': 'ORG_SHARED_RESULTS@AdobeOrg', 'x-sandbox-name': 'prod' };
const WATCH_LINKS = /* GraphQL */ `
  subscription {
    jobStatusChanged {
      type
      job { dataset { batches(first: 5) { edges { node { files { downloadUrl } } } } } }
    }
  }
`;

/** A graphql-ws client whose socket's upgrade request carries `host`, with `connectionParams` beside. */
function clientWithHost(api: TestServer, host: string, connectionParams: Record<string, string>): Client {
  class WebSocketWithHost extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { host } });
    }
  }
  return createClient({
    url: api.server.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocketWithHost,
    connectionParams,
    retryAttempts: 0,
    shouldRetry: () => false,
  });
}

/** The download links of the first event the client receives. */
function firstLinks(client: Client): { links: Promise<string[]>; stop: () => void } {
  let stop = () => {};
  const links = new Promise<string[]>((resolve, reject) => {
    stop = client.subscribe<any>(
      { query: WATCH_LINKS },
      {
        next: (result) => {
          if (result.errors) reject(new Error(JSON.stringify(result.errors)));
          const edges = result.data.jobStatusChanged.job.dataset.batches.edges as { node: { files: { downloadUrl: string }[] } }[];
          resolve(edges.flatMap((edge) => edge.node.files.map((file) => file.downloadUrl)));
        },
        error: reject,
        complete: () => {},
      },
    );
  });
  return { links, stop: () => stop() };
}

describe.each(storageTargets)('shared subscription results on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target, { concurrency: 1 });
  });
  afterAll(() => api?.close());

  it('gives each subscriber the links of the Host it connected with, not another subscriber’s nor its payload’s', async () => {
    await ingest(api, [{ profileId: 'shared-1' }, { profileId: 'shared-2' }], HEADERS);
    const { jobId, datasetId } = await startExport(api, { fields: null, filter: null }, HEADERS);
    expect((await waitForJob(api, jobId, undefined, HEADERS)).status).toBe('SUCCEEDED');

    // A `host` in connection_init is no Host: the links follow the upgrade request's.
    const alpha = clientWithHost(api, 'alpha.localhost:4000', { ...HEADERS, host: 'evil.example' });
    const beta = clientWithHost(api, 'beta.localhost:4000', HEADERS);
    const seenByAlpha = firstLinks(alpha);
    const seenByBeta = firstLinks(beta);
    await waitUntil(() => api.server.hub.watcherCount() === 2);
    // One live event, one object for both watchers: the next job into the same dataset.
    const created = await api.graphql(CREATE_EXPORT_JOB, { input: jobInput(datasetId, { fields: null, filter: null }) }, HEADERS);
    expect(created.errors).toBeUndefined();

    const [alphaLinks, betaLinks] = await Promise.all([seenByAlpha.links, seenByBeta.links]);
    seenByAlpha.stop();
    seenByBeta.stop();
    await Promise.all([alpha.dispose(), beta.dispose()]);
    expect(alphaLinks.length).toBeGreaterThan(0);
    expect(betaLinks).toHaveLength(alphaLinks.length);
    expect(alphaLinks.map((link) => new URL(link).origin)).toEqual(alphaLinks.map(() => 'http://alpha.localhost:4000'));
    expect(betaLinks.map((link) => new URL(link).origin)).toEqual(betaLinks.map(() => 'http://beta.localhost:4000'));
  });
});
