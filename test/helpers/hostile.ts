/**
 * What the hostile-input suites (test/hostile/) share: a server with
 * AUTH_MODE=jwt over a JWKS of its own, two tenants with valid tokens and a
 * little data each, hostile tokens, a snapshot of everything a request could
 * have written, and the check that the server still answers a normal caller.
 */
import { base64url, exportSPKI, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { request as httpRequest } from 'node:http';
import { count, sum } from 'drizzle-orm';
import { expect } from 'vitest';
import { batchRecords, batches, datasets, exportJobs, profiles } from '../../src/db/schema';
import type { LimitOptions } from '../../src/limits/limitOptions';
import type { StorageTarget } from './databases';
import { AUDIENCE, ISSUER, startJwksServer, type JwksServer } from './jwksServer';
import { createDataset, createJob } from './seedApi';
import { insertBatch, insertRecords } from './seedBatches';
import { startTestServer, TENANT, type TestServer } from './testServer';

export const ORG_A = TENANT['x-gw-ims-org-id'];
export const ORG_B = 'ORG_B@AdobeOrg';
export const TENANT_A: Record<string, string> = { ...TENANT };
export const TENANT_B: Record<string, string> = { 'x-gw-ims-org-id': ORG_B, 'x-sandbox-name': 'prod' };

/**
 * Small bounds, so that a flood or an oversized request costs little, and a rate
 * limit high enough that the suites' own normal requests never meet it.
 */
export const SMALL_LIMITS: Partial<LimitOptions> = {
  queryDepth: 8,
  queryAliases: 5,
  queryTokens: 600,
  queryDirectives: 3,
  queryCost: 1_000,
  bodyBytes: 64 * 1024,
  batchOperations: 3,
  variablesBytes: 16 * 1024,
  wsMessageBytes: 4 * 1024,
  wsSubscriptions: 2,
  wsConnectionsPerTenant: 3,
  requestsPerSecond: 10_000,
};

/** Every row a request could have added or changed: counts, and what a status change or a write of records moves. */
export interface Writes {
  exportJobs: number;
  /** The sum of every job's event sequence: each status change (a cancel) raises it. */
  jobChanges: number;
  datasets: number;
  batches: number;
  batchRecords: number;
  profiles: number;
}

export async function writesOf(api: TestServer): Promise<Writes> {
  const { db } = api.database;
  const [jobs] = await db.select({ n: count(), changes: sum(exportJobs.eventSequence) }).from(exportJobs);
  const [datasetRows] = await db.select({ n: count() }).from(datasets);
  const [batchRows] = await db.select({ n: count() }).from(batches);
  const [recordRows] = await db.select({ n: count() }).from(batchRecords);
  const [profileRows] = await db.select({ n: count() }).from(profiles);
  return {
    exportJobs: Number(jobs!.n),
    jobChanges: Number(jobs!.changes ?? 0),
    datasets: Number(datasetRows!.n),
    batches: Number(batchRows!.n),
    batchRecords: Number(recordRows!.n),
    profiles: Number(profileRows!.n),
  };
}

/** What one tenant owns after `seedTenant`: ids a hostile caller will try to reach. */
export interface TenantData {
  datasetId: string;
  /** A job left NEW: cancelling it would show. */
  jobId: string;
  batchId: string;
  /** A real cursor of the tenant's `exportJobs` list. */
  jobCursor: string;
}

export interface HostileServer {
  api: TestServer;
  jwks: JwksServer;
  /** Valid tokens: each grants its own tenant only. */
  tokens: { a: string; b: string };
  a: TenantData;
  b: TenantData;
  /** Tenant headers with a bearer token. */
  as(token: string, tenant?: Record<string, string>): Record<string, string>;
  /** A token signed by the key set's own key, with `claims` over the usual ones. */
  sign(claims: JWTPayload, options?: { expiresIn?: string | number }): Promise<string>;
  writes(): Promise<Writes>;
  /** Lines logged at level error so far: an answer to a client's mistake must add none. */
  errorLogCount(): number;
  /** Fails unless a normal request of tenant A, with its valid token, is answered. */
  expectStillAnswers(): Promise<void>;
  close(): Promise<void>;
}

export async function startHostileServer(
  target: StorageTarget,
  limits: Partial<LimitOptions> = SMALL_LIMITS,
): Promise<HostileServer> {
  const jwks = await startJwksServer();
  let api: TestServer;
  try {
    api = await startTestServer(target, {}, { mode: 'jwt', jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE }, limits);
  } catch (error: unknown) {
    await jwks.close();
    throw new Error('Starting the hostile-input server failed', { cause: error });
  }
  const as = (token: string, tenant: Record<string, string> = TENANT_A) => ({ ...tenant, authorization: `Bearer ${token}` });
  const tokens = {
    a: await jwks.sign({ sub: 'alice', tenants: [ORG_A] }),
    b: await jwks.sign({ sub: 'bob', tenants: [ORG_B] }),
  };
  const seedTenant = async (headers: Record<string, string>): Promise<TenantData> => {
    const datasetId = await createDataset(api, headers);
    const jobId = String((await createJob(api, datasetId, headers)).id);
    // A second job, so that the first page of one ends with a cursor that leads somewhere.
    await createJob(api, datasetId, headers);
    const batch = await insertBatch(api, { datasetId, headers, jobId: Number(jobId), recordCount: 2 });
    await insertRecords(api, batch.id, ['p1', 'p2']);
    const page = await api.graphql('{ exportJobs(first: 1) { pageInfo { endCursor } } }', {}, headers);
    const jobCursor = page.data?.exportJobs.pageInfo.endCursor as string | undefined;
    if (!jobCursor) throw new Error(`Reading a cursor failed: ${JSON.stringify(page.errors)}`);
    return { datasetId, jobId, batchId: batch.id, jobCursor };
  };
  let a: TenantData;
  let b: TenantData;
  try {
    a = await seedTenant(as(tokens.a, TENANT_A));
    b = await seedTenant(as(tokens.b, TENANT_B));
  } catch (error: unknown) {
    await api.close();
    await jwks.close();
    throw new Error('Seeding the hostile-input server failed', { cause: error });
  }
  return {
    api,
    jwks,
    tokens,
    a,
    b,
    as,
    sign: (claims, options) => jwks.sign({ sub: 'mallory', ...claims }, options),
    writes: () => writesOf(api),
    errorLogCount: () => api.logs.filter((line) => JSON.parse(line).level === 'error').length,
    async expectStillAnswers() {
      const response = await api.graphql(`{ exportJob(id: "${a.jobId}") { id status } }`, {}, as(tokens.a));
      expect(response.errors).toBeUndefined();
      expect(response).toMatchObject({ status: 200, data: { exportJob: { id: a.jobId, status: 'NEW' } } });
    },
    async close() {
      await api.close();
      await jwks.close();
    },
  };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Claims the gateway would accept, but for the signature: what forged tokens carry. */
export const acceptableClaims = (tenants: string[] = [ORG_A]) => ({
  iss: ISSUER,
  aud: AUDIENCE,
  sub: 'mallory',
  tenants,
  exp: nowSeconds() + 600,
});

/** A token with `alg: none` and no signature. */
export function unsignedToken(claims: JWTPayload = acceptableClaims()): string {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}

/**
 * The classic confusion: HS256 whose secret is the key set's own public key, as
 * the PEM a careless verifier would hand to HMAC.
 */
export async function hmacWithPublishedKey(jwks: JwksServer, claims: JWTPayload = acceptableClaims()): Promise<string> {
  const { keys } = (await (await fetch(jwks.url)).json()) as { keys: (Record<string, string> & { kid: string })[] };
  const published = keys[0]!;
  const pem = await exportSPKI((await importJWK(published, published.alg)) as CryptoKey);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', kid: published.kid })
    .sign(new TextEncoder().encode(pem));
}

/** A token signed by a key the key set does not hold, under the kid of one it does. */
export async function signedByStranger(jwks: JwksServer, claims: JWTPayload = acceptableClaims()): Promise<string> {
  const { keys } = (await (await fetch(jwks.url)).json()) as { keys: { kid: string }[] };
  const { privateKey } = await generateKeyPair('RS256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: keys[0]!.kid }).sign(privateKey);
}

/** A token every transport must refuse as UNAUTHENTICATED, by what is wrong with it. */
export interface RefusedToken {
  name: string;
  make(server: Pick<HostileServer, 'jwks' | 'sign'>): Promise<string>;
}

export const REFUSED_TOKENS: RefusedToken[] = [
  { name: 'that is not a JWT', make: async () => 'not.a.jwt' },
  {
    name: 'expired beyond the 30 s clock skew',
    make: (server) => server.sign({ tenants: [ORG_A] }, { expiresIn: nowSeconds() - 120 }),
  },
  { name: 'from another issuer', make: (server) => server.sign({ iss: 'https://evil.test/', tenants: [ORG_A] }) },
  { name: 'for another audience', make: (server) => server.sign({ aud: 'another-api', tenants: [ORG_A] }) },
  { name: 'with alg none', make: async () => unsignedToken() },
  { name: 'signed with HS256 and the published public key as secret', make: (server) => hmacWithPublishedKey(server.jwks) },
  { name: 'signed by a stranger key under a known kid', make: (server) => signedByStranger(server.jwks) },
];

/** An HTTP answer of any route: status, headers and the body (parsed JSON, the text otherwise, '' when empty). */
export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

export async function answerOf(request: Promise<Response>): Promise<Answer> {
  const response = await request;
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === '' ? '' : JSON.parse(text);
  } catch {
    // Not JSON (NDJSON records, a plain text 404): the text is the body.
  }
  return { status: response.status, headers: response.headers, body };
}

/** The code of the first error of a GraphQL-shaped body, or null when it holds no error. */
export function codeOf(answer: Pick<Answer, 'body'>): string | null {
  return (answer.body as { errors?: { extensions?: { code?: string } }[] } | null)?.errors?.[0]?.extensions?.code ?? null;
}

/**
 * A request written as is, for what fetch will not send: a path it would
 * normalise (`..`), or a Content-Length that the body never reaches (`declaredLength`).
 */
export function rawRequest(
  serverUrl: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string; declaredLength?: number },
): Promise<Answer> {
  const url = new URL(serverUrl);
  return new Promise<Answer>((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.declaredLength !== undefined) headers['content-length'] = String(options.declaredLength);
    const request = httpRequest(
      { host: url.hostname, port: url.port, path: options.path, method: options.method ?? 'GET', headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const answerHeaders = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined) answerHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          let body: unknown = text;
          try {
            body = text === '' ? '' : JSON.parse(text);
          } catch {
            // Not JSON: the text is the body.
          }
          // The rest of a declared body will never come: let the socket go.
          if (options.declaredLength !== undefined) request.destroy();
          resolve({ status: response.statusCode ?? 0, headers: answerHeaders, body });
        });
      },
    );
    request.on('error', reject);
    if (options.declaredLength !== undefined) request.flushHeaders();
    else request.end(options.body);
  });
}
