/**
 * Cross-site WebSocket hijacking: without verification (AUTH_MODE=none), a page of another
 * site opened in the user's browser must not reach the API through a WebSocket, which no
 * CORS guards. With verification it may: its handshake carries no credential of the user.
 * DNS rebinding: without verification, nothing is served to a Host a site could have pointed here.
 */
import { request } from 'node:http';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { AUDIENCE, ISSUER, startJwksServer, type JwksServer } from '../helpers/jwksServer';
import { startTestServer, type TestServer } from '../helpers/testServer';

const pglite = storageTargets.find((target) => target.name === 'pglite')!;

/** The handshake's answer: 101 when the socket opened, else the HTTP status refusing it. */
function handshake(api: TestServer, origin: string | undefined, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const options = { ...(origin ? { origin } : {}), ...(host ? { headers: { host } } : {}) };
    const socket = new WebSocket(api.server.url.replace(/^http/, 'ws'), 'graphql-transport-ws', options);
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', reject);
  });
}

describe('WebSocket handshakes from browser pages, without verification (AUTH_MODE=none)', () => {
  let api: TestServer;
  beforeAll(async () => {
    api = await startTestServer(pglite);
  });
  afterAll(() => api?.close());

  it('refuses a page of another site, with 403, and says so in the log', async () => {
    expect(await handshake(api, 'https://evil.example')).toBe(403);
    expect(api.logs.some((line) => line.includes('refused') && line.includes('https://evil.example'))).toBe(true);
    expect(await handshake(api, 'http://127.0.0.1.evil.example:4000')).toBe(403);
    expect(await handshake(api, 'null')).toBe(403);
  });

  it('accepts a page of this machine, of the host the request names, and a client that is no browser', async () => {
    const own = new URL(api.server.url).origin;
    expect(await handshake(api, own)).toBe(101);
    expect(await handshake(api, 'http://localhost:3000')).toBe(101);
    expect(await handshake(api, 'http://[::1]:5173')).toBe(101);
    expect(await handshake(api, `http://${new URL(own).hostname}:5173`)).toBe(101);
    expect(await handshake(api, undefined)).toBe(101);
  });

  it("accepts PUBLIC_URL's origin, the page served through a proxy in front", async () => {
    const proxied = await startTestServer(pglite, {}, {}, {}, { files: { publicUrl: 'https://exports.example.com' } });
    try {
      expect(await handshake(proxied, 'https://exports.example.com')).toBe(101);
      expect(await handshake(proxied, 'https://other.example.com')).toBe(403);
    } finally {
      await proxied.close();
    }
  });
});

/** A GraphQL POST to `path` naming `host`: its status and body. */
function postWithHost(api: TestServer, host: string, path = '/graphql'): Promise<{ status: number; body: string }> {
  const url = new URL(api.server.url);
  return new Promise((resolve, reject) => {
    const sent = request(
      { host: url.hostname, port: url.port, path, method: 'POST', headers: { host, 'content-type': 'application/json', 'x-gw-ims-org-id': 'ORG_REBIND@AdobeOrg' } },
      (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    sent.on('error', reject).end(JSON.stringify({ query: '{ __typename }' }));
  });
}

describe('DNS rebinding, without verification (AUTH_MODE=none)', () => {
  let api: TestServer;
  beforeAll(async () => {
    api = await startTestServer(pglite, {}, {}, {}, { files: { publicUrl: 'https://exports.example.com' } });
  });
  afterAll(() => api?.close());

  it('serves nothing to a Host a site could point here, over HTTP or WebSocket, and says why', async () => {
    const port = new URL(api.server.url).port;
    const refused = await postWithHost(api, `attacker.example:${port}`);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).errors[0]).toMatchObject({
      extensions: { code: 'FORBIDDEN' },
      message: expect.stringMatching(/Host "attacker\.example:\d+" is not served without verification.*PUBLIC_URL/),
    });
    expect((await postWithHost(api, 'attacker.example', '/jobs')).status).toBe(403);
    // The page's own origin passes the Origin check; its Host gives it away.
    expect(await handshake(api, `http://attacker.example:${port}`, `attacker.example:${port}`)).toBe(403);
    expect(api.logs.some((line) => line.includes('rebound') && line.includes('attacker.example'))).toBe(true);
    // Anyone can cause them: three refusals, one line (then a line a minute at most, logging/throttledWarning.ts).
    expect(api.logs.filter((line) => line.includes('rebound'))).toHaveLength(1);
  });

  it('serves localhost, IP addresses and the host of PUBLIC_URL', async () => {
    const port = new URL(api.server.url).port;
    const hosts = [`localhost:${port}`, `localhost.:${port}`, `app.localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, '10.1.2.3', 'exports.example.com', 'exports.example.com.'];
    for (const host of hosts) {
      const served = await postWithHost(api, host);
      expect(served.status, host).toBe(200);
      expect(JSON.parse(served.body), host).toEqual({ data: { __typename: 'Query' } });
    }
    expect(await handshake(api, undefined, 'exports.example.com')).toBe(101);
    // The probes read no tenant's data: an orchestrator may call them by any name.
    const probe = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(api.server.url);
        request({ host: url.hostname, port: url.port, path, headers: { host: 'gateway.internal.example' } }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
    expect(await probe('/healthz')).toBe(200);
    expect(await probe('/readyz')).toBe(200);
  });
});

describe('WebSocket handshakes from browser pages, with verification (AUTH_MODE=jwt)', () => {
  let jwks: JwksServer;
  let api: TestServer;
  beforeAll(async () => {
    jwks = await startJwksServer();
    api = await startTestServer(pglite, {}, { mode: 'jwt', jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE });
  });
  afterAll(async () => {
    await api?.close();
    await jwks?.close();
  });

  it('accepts a frontend of another origin: its token, not the browser, admits it', async () => {
    expect(await handshake(api, 'https://app.example')).toBe(101);
  });

  it('serves any Host: a rebound page has no token', async () => {
    expect((await postWithHost(api, 'gateway.internal.example')).status).toBe(401);
    expect(await handshake(api, undefined, 'gateway.internal.example')).toBe(101);
  });
});
