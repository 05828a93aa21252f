import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { contentSecurityPolicy } from '../../src/web/securityHeaders';
import { startTestServer, type TestServer } from '../helpers/testServer';

// Headers do not depend on the database: one is enough.
const pglite = storageTargets.find((target) => target.name === 'pglite')!;

// The browser tests (playground, jobsPage) prove these policies allow all the pages do; this pins them.
describe('the browser pages’ security headers', () => {
  let api: TestServer;
  let origin: string;
  let host: string;

  beforeAll(async () => {
    api = await startTestServer(pglite);
    origin = new URL(api.server.url).origin;
    host = new URL(api.server.url).host;
  });
  afterAll(() => api?.close());

  const common = {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'same-origin',
  };
  const headersOf = (response: Response, names: string[]) =>
    Object.fromEntries(names.map((name) => [name, response.headers.get(name)]));
  const NAMES = ['content-security-policy', ...Object.keys(common)];

  it('sends /jobs with a policy of our own origin, WebSockets to the host it was asked for included', async () => {
    const response = await fetch(`${origin}/jobs`);
    expect(response.status).toBe(200);
    expect(headersOf(response, NAMES)).toEqual({
      'content-security-policy':
        "default-src 'none'; script-src 'self'; style-src 'self'; " +
        `connect-src 'self' ws://${host} wss://${host}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
      ...common,
    });
  });

  it('names WebSocket origins only for a well-formed Host', async () => {
    const { request } = await import('node:http');
    const policyFor = (hostHeader: string) =>
      new Promise<string | undefined>((resolve, reject) => {
        request(`${origin}/jobs`, { headers: { host: hostHeader } }, (response) => {
          response.resume();
          resolve(response.headers['content-security-policy'] as string | undefined);
        })
          .on('error', reject)
          .end();
      });
    // Without verification only hosts no site can rebind are served (rebindingGuard.ts): a name under localhost.
    expect(await policyFor('Gateway.Localhost:8443')).toContain("connect-src 'self' ws://gateway.localhost:8443 wss://gateway.localhost:8443;");
    expect(await policyFor('[::1]:4000')).toContain("connect-src 'self' ws://[::1]:4000 wss://[::1]:4000;");
    // Served with verification (any Host), a malformed one names no WebSocket origin.
    expect(contentSecurityPolicy('jobsPage', "evil; script-src 'unsafe-inline'")).toContain("connect-src 'self'; base-uri");
  });

  it('sends every asset, and a missing one, with a policy that allows nothing', async () => {
    for (const path of ['/assets/graphiql.min.js', '/assets/playground.css', '/assets/nope.js']) {
      const response = await fetch(`${origin}${path}`);
      expect(headersOf(response, NAMES), path).toEqual({
        'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
        ...common,
      });
    }
  });

  it('sends GET /graphql (the playground) with the same headers', async () => {
    const response = await fetch(`${origin}/graphql`, { headers: { accept: 'text/html' } });
    expect(headersOf(response, NAMES)).toEqual({
      'content-security-policy':
        "default-src 'none'; script-src 'self'; style-src 'self' 'sha256-nzTgYzXYDNe6BAHiiI7NNlfK8n/auuOAhh2t92YvuXo='; " +
        `font-src data:; img-src data:; connect-src 'self' ws://${host} wss://${host}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      ...common,
    });
    // An API call on the same URL gets none of them.
    const api = await fetch(`${origin}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'x-gw-ims-org-id': 'ORG_A@AdobeOrg', 'apollo-require-preflight': '1' },
    });
    expect(api.headers.get('content-security-policy')).toBeNull();
  });
});
