/**
 * AUTH_MODE=jwt: only a verified bearer token that grants the tenant gets or
 * changes anything, over HTTP, graphql-ws, the records route and `_entities`.
 * Keys are served by a real JWKS endpoint on loopback and rotate without a restart.
 */
import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { JWKS_REFETCH_COOLDOWN_MS } from '../../src/auth/keySet';
import { exportJobs } from '../../src/db/schema';
import { CANCEL_EXPORT_JOB, CREATE_EXPORT_JOB, PROFILE_SCHEMA_REF } from '../fixtures/operations';
import { storageTargets } from '../helpers/databases';
import { acceptableClaims, hmacWithPublishedKey, unsignedToken } from '../helpers/hostile';
import { AUDIENCE, ISSUER, startJwksServer, type JwksServer } from '../helpers/jwksServer';
import { openRawWebSocket } from '../helpers/rawWebSocket';
import { startTestServer, TENANT, type TestServer } from '../helpers/testServer';

const ORG = TENANT['x-gw-ims-org-id'];
const OTHER_ORG = 'ORG_B@AdobeOrg';

describe.each(storageTargets)('verified callers on $name', (target) => {
  let jwks: JwksServer;
  let api: TestServer;
  let datasetId: string;

  beforeAll(async () => {
    jwks = await startJwksServer();
    api = await startTestServer(target, {}, { mode: 'jwt', jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE });
    const token = await jwks.sign({ sub: 'setup', tenants: [ORG] });
    const created = await api.graphql(
      'mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id } }',
      { i: { name: 'auth', schemaRef: PROFILE_SCHEMA_REF } },
      { ...TENANT, authorization: `Bearer ${token}` },
    );
    datasetId = created.data!.createDataset.id;
  });
  afterAll(async () => {
    await api?.close();
    await jwks?.close();
  });

  const as = (token: string, tenant: Record<string, string> = TENANT) => ({ ...tenant, authorization: `Bearer ${token}` });
  const LIST = '{ exportJobs(first: 5) { edges { node { id } } } }';

  async function expectRefused(headers: Record<string, string>, code: 'UNAUTHENTICATED' | 'FORBIDDEN') {
    const response = await api.graphql(LIST, {}, headers);
    expect(response.status).toBe(code === 'UNAUTHENTICATED' ? 401 : 403);
    expect(response.data ?? null).toBeNull();
    expect(response.errors?.[0]?.extensions?.code).toBe(code);
    if (code === 'UNAUTHENTICATED') expect(response.headers.get('www-authenticate')).toBe('Bearer');
    return response;
  }

  it('answers a verified token that grants the tenant', async () => {
    const response = await api.graphql(LIST, {}, as(await jwks.sign({ sub: 'ada', tenants: [ORG] })));
    expect(response.errors).toBeUndefined();
    expect(response.data!.exportJobs.edges).toEqual(expect.any(Array));
  });

  it('refuses a request without a token as UNAUTHENTICATED, 401 with WWW-Authenticate', async () => {
    await expectRefused(TENANT, 'UNAUTHENTICATED');
  });

  it.each([
    ['not a JWT', async () => 'not.a.jwt'],
    ['signed by a key the key set does not have', async () => signWithStrangerKey({ tenants: [ORG] })],
    ['from another issuer', async () => jwks.sign({ iss: 'https://evil.test/', tenants: [ORG] })],
    ['for another audience', async () => jwks.sign({ aud: 'another-api', tenants: [ORG] })],
    ['expired beyond the clock skew', async () => jwks.sign({ tenants: [ORG] }, { expiresIn: Math.floor(Date.now() / 1000) - 60 })],
    ['with alg none', async () => unsignedToken(acceptableClaims([ORG]))],
    ['HS256 with the published public key as the secret', async () => hmacWithPublishedKey(jwks, acceptableClaims([ORG]))],
  ])('refuses a token %s as UNAUTHENTICATED', async (_case, token) => {
    await expectRefused(as(await token()), 'UNAUTHENTICATED');
  });

  it('refuses a token without an exp claim, saying so: it would never stop being good', async () => {
    const response = await expectRefused(as(await jwks.sign({ tenants: [ORG] }, { expiresIn: null })), 'UNAUTHENTICATED');
    expect(response.errors![0]!.message).toBe('The bearer token has no exp claim');
    const socket = await connectionOutcome({ ...TENANT, authorization: `Bearer ${await jwks.sign({ tenants: [ORG] }, { expiresIn: null })}` });
    expect(socket).toEqual({ acknowledged: false, closedWith: 4403 });
  });

  it('accepts a token expired by less than the 30 s clock skew', async () => {
    const token = await jwks.sign({ tenants: [ORG] }, { expiresIn: Math.floor(Date.now() / 1000) - 10 });
    expect((await api.graphql(LIST, {}, as(token))).errors).toBeUndefined();
  });

  it('refuses a valid token for another tenant as FORBIDDEN, 403, the same whether or not the tenant has data', async () => {
    const token = await jwks.sign({ sub: 'mallory', tenants: [OTHER_ORG] });
    const withData = await expectRefused(as(token), 'FORBIDDEN');
    const withoutData = await expectRefused(as(token, { 'x-gw-ims-org-id': 'NOBODY@AdobeOrg' }), 'FORBIDDEN');
    expect(withoutData.errors![0]!.message).toBe(withData.errors![0]!.message);
  });

  it('honours a grant of one sandbox only', async () => {
    const token = await jwks.sign({ tenants: [`${ORG}/dev`] });
    expect((await api.graphql(LIST, {}, as(token, { ...TENANT, 'x-sandbox-name': 'dev' }))).errors).toBeUndefined();
    await expectRefused(as(token, { ...TENANT, 'x-sandbox-name': 'prod' }), 'FORBIDDEN');
  });

  it("records the token's sub as createdBy and cancelledBy, and the token only as its SHA-256", async () => {
    const creator = await jwks.sign({ sub: 'alice', tenants: [ORG] });
    const created = await api.graphql(
      CREATE_EXPORT_JOB,
      { input: { destination: { datasetId }, schema: { name: '_xdm.context.profile' } } },
      as(creator),
    );
    const jobId = created.data!.createExportJob.id as string;
    const canceller = await jwks.sign({ sub: 'bob', tenants: [ORG] });
    await api.graphql(CANCEL_EXPORT_JOB, { id: jobId }, as(canceller));
    const read = await api.graphql(`{ exportJob(id: "${jobId}") { createdBy cancelledBy status } }`, {}, as(creator));
    expect(read.data!.exportJob).toEqual({ createdBy: 'alice', cancelledBy: 'bob', status: 'CANCELLED' });
    const [row] = await api.database.db.select().from(exportJobs).where(eq(exportJobs.id, Number(jobId)));
    expect(row!.createdByTokenSha256).toBe(createHash('sha256').update(creator).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(creator);
  });

  it("takes a rotated key without a restart: an unknown kid makes it fetch the key set again", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // past the refetch cooldown of the setup's fetch
    const before = jwks.fetches();
    const rotated = await jwks.addKey('ES256');
    const token = await jwks.sign({ tenants: [ORG] }, { kid: rotated });
    expect((await api.graphql(LIST, {}, as(token))).errors).toBeUndefined();
    expect(jwks.fetches()).toBeGreaterThan(before);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // it fetches again at most once a second
    const eddsa = await jwks.addKey('EdDSA');
    expect((await api.graphql(LIST, {}, as(await jwks.sign({ tenants: [ORG] }, { kid: eddsa })))).errors).toBeUndefined();
  });

  it('refuses a token it accepted before, once a fetched key set no longer holds the key that signed it', async () => {
    const pause = () => new Promise((resolve) => setTimeout(resolve, 1_100)); // past the refetch cooldown
    await pause();
    const revoked = await jwks.addKey('ES256');
    const token = await jwks.sign({ sub: 'eve', tenants: [ORG] }, { kid: revoked });
    expect((await api.graphql(LIST, {}, as(token))).errors).toBeUndefined();
    const fetches = jwks.fetches();
    expect((await api.graphql(LIST, {}, as(token))).errors).toBeUndefined();
    expect(jwks.fetches()).toBe(fetches); // remembered: not verified against a fetched set again
    jwks.removeKey(revoked);
    await pause();
    // Any unknown kid makes the gateway fetch the set, which no longer holds the key.
    const rotated = await jwks.sign({ tenants: [ORG] }, { kid: await jwks.addKey('ES256') });
    expect((await api.graphql(LIST, {}, as(rotated))).errors).toBeUndefined();
    expect(jwks.fetches()).toBe(fetches + 1);
    await expectRefused(as(token), 'UNAUTHENTICATED');
  });

  it('guards the records route the same way', async () => {
    const url = api.server.url.replace(/\/graphql$/, '/data/batches/0123456789abcdef0123456789abcdef/records');
    const none = await fetch(url, { headers: TENANT });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    const other = await fetch(url, { headers: as(await jwks.sign({ tenants: [OTHER_ORG] })) });
    expect(other.status).toBe(403);
    const granted = await fetch(url, { headers: as(await jwks.sign({ tenants: [ORG] })) });
    expect(granted.status).toBe(404); // past authentication: the batch does not exist
  });

  it('guards _entities the same way', async () => {
    const query = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Dataset { id name } } }';
    const variables = { r: [{ __typename: 'Dataset', id: datasetId }] };
    const none = await api.graphql(query, variables, TENANT);
    expect(none.status).toBe(401);
    const other = await api.graphql(query, variables, as(await jwks.sign({ tenants: [OTHER_ORG] }), { 'x-gw-ims-org-id': OTHER_ORG }));
    expect(other.data!._entities).toEqual([null]);
    const granted = await api.graphql(query, variables, as(await jwks.sign({ tenants: [ORG] })));
    expect(granted.data!._entities).toEqual([{ id: datasetId, name: 'auth' }]);
  });

  it('refuses a WebSocket without a valid token with 4403, and ends one whose token expires at its expiry', async () => {
    expect(await connectionOutcome({ ...TENANT })).toEqual({ acknowledged: false, closedWith: 4403 });
    expect(await connectionOutcome({ ...TENANT, authorization: 'Bearer not.a.jwt' })).toEqual({ acknowledged: false, closedWith: 4403 });
    expect(await connectionOutcome({ ...TENANT, authorization: 'Basic dXNlcjpwYXNz' })).toEqual({ acknowledged: false, closedWith: 4403 });
    const forOther = await jwks.sign({ tenants: [OTHER_ORG] });
    expect(await connectionOutcome({ ...TENANT, authorization: `Bearer ${forOther}` })).toEqual({ acknowledged: false, closedWith: 4403 });
    // Expires in 2 s (plus the 30 s skew is not granted to an open socket: it ends at exp).
    const shortLived = await jwks.sign({ tenants: [ORG] }, { expiresIn: Math.floor(Date.now() / 1000) + 2 });
    const startedAt = Date.now();
    const outcome = await connectionOutcome({ ...TENANT, authorization: `Bearer ${shortLived}` }, 10_000);
    expect(outcome).toEqual({ acknowledged: true, closedWith: 4403 });
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });

  it('runs nothing a socket sends after its token expired, though the client never answers the close', async () => {
    const shortLived = await jwks.sign({ tenants: [ORG] }, { expiresIn: Math.floor(Date.now() / 1000) + 2 });
    const socket = await openRawWebSocket(api.server.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    try {
      socket.send(JSON.stringify({ type: 'connection_init', payload: { ...TENANT, authorization: `Bearer ${shortLived}` } }));
      expect(JSON.parse((await socket.nextFrame()).payload.toString())).toEqual({ type: 'connection_ack' });
      const closing = await socket.nextFrame(10_000);
      expect({ opcode: closing.opcode, code: closing.payload.readUInt16BE(0) }).toEqual({ opcode: 8, code: 4403 });
      // The server waits up to 30 s for the client's close frame, reading what else comes meanwhile.
      const name = `after-expiry-${Date.now()}`;
      const query = `mutation { createDataset(input: { name: "${name}", schemaRef: { id: "${PROFILE_SCHEMA_REF.id}", contentType: "${PROFILE_SCHEMA_REF.contentType}" } }) { id } }`;
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const listed = await api.graphql('{ datasets(first: 100) { edges { node { name } } } }', {}, as(await jwks.sign({ tenants: [ORG] })));
      expect(listed.errors).toBeUndefined();
      expect(listed.data!.datasets.edges.map((edge: { node: { name: string } }) => edge.node.name)).not.toContain(name);
    } finally {
      socket.destroy();
    }
  });

  it('keeps a socket open whose token expires in 30 days, past the 24.8 days a single timer can wait', async () => {
    const longLived = await jwks.sign({ tenants: [ORG] }, { expiresIn: '30d' });
    expect(await connectionOutcome({ ...TENANT, authorization: `Bearer ${longLived}` }, 1_500)).toEqual({
      acknowledged: true,
      closedWith: null,
    });
  });

  /** Opens a graphql-ws socket with `payload`; waits until it closes (or `waitMs`). */
  it('answers SERVICE_UNAVAILABLE, 503 or close 1013, when the key set cannot be read, not that the token is bad', async () => {
    // A key the gateway has not seen: its token makes it fetch the set, which now fails.
    const token = await jwks.sign({ tenants: [ORG] }, { kid: await jwks.addKey('ES256') });
    await new Promise((resolve) => setTimeout(resolve, JWKS_REFETCH_COOLDOWN_MS + 100));
    jwks.failWith(503);
    try {
      const response = await api.graphql(LIST, {}, as(token));
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(response.headers.get('www-authenticate')).toBeNull();
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfter: 5 });
      await new Promise((resolve) => setTimeout(resolve, JWKS_REFETCH_COOLDOWN_MS + 100));
      expect(await connectionOutcome({ ...TENANT, authorization: `Bearer ${token}` })).toEqual({ acknowledged: false, closedWith: 1013 });
    } finally {
      jwks.failWith(null);
    }
    await new Promise((resolve) => setTimeout(resolve, JWKS_REFETCH_COOLDOWN_MS + 100));
    expect((await api.graphql(LIST, {}, as(token))).errors).toBeUndefined();
  });

  function connectionOutcome(payload: Record<string, string>, waitMs = 5_000) {
    return new Promise<{ acknowledged: boolean; closedWith: number | null }>((resolve) => {
      const socket = new WebSocket(api.server.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
      let acknowledged = false;
      const timer = setTimeout(() => {
        socket.close();
        resolve({ acknowledged, closedWith: null });
      }, waitMs);
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
      socket.on('message', (data) => {
        if (JSON.parse(String(data)).type === 'connection_ack') acknowledged = true;
      });
      socket.on('close', (code) => {
        clearTimeout(timer);
        resolve({ acknowledged, closedWith: code });
      });
    });
  }
});

async function signWithStrangerKey(claims: Record<string, unknown>): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  return new SignJWT({ iss: ISSUER, aud: AUDIENCE, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'stranger' })
    .setExpirationTime('1h')
    .sign(privateKey);
}

