import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { startTestServer, type TestServer } from '../helpers/testServer';

// The pages themselves are tested in a browser (playground.test.ts, jobsPage.test.ts); this is their HTTP.
describe.each(storageTargets)('the browser pages’ HTTP on $name', (target) => {
  let api: TestServer;
  let origin: string;

  beforeAll(async () => {
    api = await startTestServer(target);
    origin = new URL(api.server.url).origin;
  });
  afterAll(() => api?.close());

  it('answers a browser’s GET /graphql with the GraphiQL page, and an API GET with JSON', async () => {
    const page = await fetch(`${origin}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('/assets/graphiql.min.js');
    expect(html).not.toMatch(/https?:\/\//); // nothing from a CDN

    const api = await fetch(`${origin}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'x-gw-ims-org-id': 'ORG_A@AdobeOrg', 'apollo-require-preflight': '1' },
    });
    expect(await api.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('serves /jobs as HTML that loads only our own assets', async () => {
    const response = await fetch(`${origin}/jobs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toContain('/assets/jobs.js');
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('serves listed assets, gzipped when asked, and nothing else', async () => {
    const plain = await fetch(`${origin}/assets/graphql-ws.min.js`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const body = Buffer.from(await plain.arrayBuffer());
    expect(body.toString()).toContain('graphqlWs');

    // fetch decodes gzip itself; node:http's raw bytes show the encoding.
    const { request } = await import('node:http');
    const gzipped = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      request(`${origin}/assets/graphql-ws.min.js`, { headers: { 'accept-encoding': 'gzip' } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ encoding: response.headers['content-encoding'], body: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });
    expect(gzipped.encoding).toBe('gzip');
    expect(gunzipSync(gzipped.body).equals(body)).toBe(true);

    for (const path of ['/assets/nope.js', '/assets/../package.json', '/assets/%2e%2e/package.json', '/assets/toString']) {
      expect((await fetch(`${origin}${path}`)).status, path).toBe(404);
    }
  });
});
