/**
 * Hostile requests to POST/GET /graphql with AUTH_MODE=jwt: malformed and
 * oversized bodies, documents past every bound, forged and foreign tokens,
 * cursors and ids, and a flood. Each is answered with its own code and HTTP
 * status, writes nothing, logs nothing as unexpected, and the next normal
 * caller is answered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE_SCHEMA_REF } from '../fixtures/operations';
import { storageTargets } from '../helpers/databases';
import {
  answerOf,
  codeOf,
  ORG_A,
  rawRequest,
  REFUSED_TOKENS,
  SMALL_LIMITS,
  startHostileServer,
  TENANT_A,
  TENANT_B,
  type Answer,
  type HostileServer,
} from '../helpers/hostile';

const DATASET_INPUT = `{ name: "hostile", schemaRef: { id: "${PROFILE_SCHEMA_REF.id}", contentType: "${PROFILE_SCHEMA_REF.contentType}" } }`;
const CREATE_DATASET = `createDataset(input: ${DATASET_INPUT}) { id }`;
/** Two writes at once: if any refusal let it through, a dataset would appear and tenant A's job would be cancelled. */
const writeBoth = (s: HostileServer) => `mutation { cancelExportJob(id: "${s.a.jobId}") { status } ${CREATE_DATASET} }`;

const post = (s: HostileServer, body: string, headers: Record<string, string> = s.as(s.tokens.a), contentType = 'application/json') =>
  answerOf(fetch(s.api.server.url, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body }));
const postJson = (s: HostileServer, payload: unknown, headers?: Record<string, string>) => post(s, JSON.stringify(payload), headers);
/** A base64url cursor of any text: what a client who read the envelope can forge. */
const cursorOf = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

interface Refusal {
  sends: string;
  code: string;
  status: number;
  request: (s: HostileServer) => Promise<Answer>;
  /** The exact `Allow` header of a 405: the methods the route takes. */
  allow?: string;
  /** What else must hold of the answer. */
  also?: (answer: Answer, s: HostileServer) => void;
}

const bodies: Refusal[] = [
  { sends: 'a body that is not valid JSON', code: 'BAD_REQUEST', status: 400, request: (s) => post(s, '{"query": "mutation {') },
  {
    sends: 'a mutation as text/plain, the simple request a cross-site form can make (CSRF)',
    code: 'BAD_REQUEST',
    status: 400,
    request: (s) => post(s, JSON.stringify({ query: writeBoth(s) }), undefined, 'text/plain'),
    also: (answer) => expect(answer.body.errors[0].message).toContain('Cross-Site Request Forgery'),
  },
  {
    sends: 'a mutation as a form post (application/x-www-form-urlencoded)',
    code: 'BAD_REQUEST',
    status: 400,
    request: (s) => post(s, `query=${encodeURIComponent(writeBoth(s))}`, undefined, 'application/x-www-form-urlencoded'),
  },
  { sends: 'an empty JSON body', code: 'BAD_REQUEST', status: 400, request: (s) => post(s, '') },
  { sends: 'a JSON body that is null, not an object', code: 'BAD_REQUEST', status: 400, request: (s) => post(s, 'null') },
  { sends: 'a query that is a number', code: 'BAD_REQUEST', status: 400, request: (s) => postJson(s, { query: 42 }) },
  {
    sends: 'a JSON array nested 30,000 levels deep',
    code: 'BAD_REQUEST',
    status: 400,
    request: (s) => post(s, '['.repeat(30_000) + ']'.repeat(30_000)),
  },
  {
    sends: 'a body over LIMIT_BODY_BYTES',
    code: 'PAYLOAD_TOO_LARGE',
    status: 413,
    request: (s) => postJson(s, { query: writeBoth(s), padding: 'x'.repeat(SMALL_LIMITS.bodyBytes!) }),
  },
  {
    sends: 'a Content-Length over LIMIT_BODY_BYTES, answered before its bytes arrive',
    code: 'PAYLOAD_TOO_LARGE',
    status: 413,
    request: (s) =>
      rawRequest(s.api.server.url, {
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json', ...s.as(s.tokens.a) },
        declaredLength: 50 * 1024 * 1024,
      }),
  },
  {
    sends: 'variables over LIMIT_VARIABLES_BYTES',
    code: 'PAYLOAD_TOO_LARGE',
    status: 413,
    request: (s) =>
      postJson(s, {
        query: 'mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id } }',
        variables: { i: { name: 'x'.repeat(SMALL_LIMITS.variablesBytes!), schemaRef: PROFILE_SCHEMA_REF } },
      }),
  },
  {
    sends: 'a batch of more operations than LIMIT_BATCH_OPERATIONS, each a write',
    code: 'TOO_MANY_OPERATIONS',
    status: 400,
    request: (s) => postJson(s, Array.from({ length: SMALL_LIMITS.batchOperations! + 1 }, () => ({ query: writeBoth(s) }))),
  },
  {
    sends: 'a mutation nested deeper than LIMIT_QUERY_DEPTH through inline fragments',
    code: 'QUERY_TOO_DEEP',
    status: 400,
    request: (s) => {
      const levels = SMALL_LIMITS.queryDepth! + 1;
      return postJson(s, { query: `mutation { ${'... on Mutation { '.repeat(levels)}${CREATE_DATASET}${' }'.repeat(levels)} }` });
    },
  },
  {
    sends: 'more aliased writes than LIMIT_QUERY_ALIASES',
    code: 'TOO_MANY_ALIASES',
    status: 400,
    request: (s) => {
      const aliases = Array.from({ length: SMALL_LIMITS.queryAliases! + 1 }, (_, i) => `w${i}: ${CREATE_DATASET}`);
      return postJson(s, { query: `mutation { ${aliases.join(' ')} }` });
    },
  },
  {
    sends: 'more directives than LIMIT_QUERY_DIRECTIVES on a write',
    code: 'TOO_MANY_DIRECTIVES',
    status: 400,
    request: (s) =>
      postJson(s, {
        query: `mutation { createDataset(input: ${DATASET_INPUT}) ${'@skip(if: false) '.repeat(SMALL_LIMITS.queryDirectives! + 1)}{ id } }`,
      }),
  },
  {
    sends: 'a write padded with more tokens than LIMIT_QUERY_TOKENS',
    code: 'TOO_MANY_TOKENS',
    status: 400,
    request: (s) => postJson(s, { query: `mutation { ${CREATE_DATASET} ${'__typename '.repeat(SMALL_LIMITS.queryTokens!)}}` }),
  },
  {
    sends: 'a page of 100 jobs with their datasets, costlier than LIMIT_QUERY_COST',
    code: 'QUERY_TOO_COSTLY',
    status: 400,
    request: (s) =>
      postJson(s, {
        query: '{ exportJobs(first: 100) { edges { node { id status fields requestId creationTime updateTime dataset { id name createdAt } } } } }',
      }),
    also: (answer) => expect(answer.body.errors[0].extensions.cost).toBeGreaterThan(SMALL_LIMITS.queryCost!),
  },
  {
    sends: 'a write inside a cycle of fragments',
    code: 'GRAPHQL_VALIDATION_FAILED',
    status: 400,
    request: (s) =>
      postJson(s, {
        query: `mutation { ...A } fragment A on Mutation { ${CREATE_DATASET} ...B } fragment B on Mutation { ...A }`,
      }),
  },
  {
    sends: 'an operationName the document does not hold, beside a write that does not run',
    code: 'OPERATION_RESOLUTION_FAILURE',
    status: 400,
    request: (s) => postJson(s, { query: `mutation Write { ${CREATE_DATASET} }`, operationName: 'Other' }),
  },
  {
    sends: 'a document cut off mid-write',
    code: 'GRAPHQL_PARSE_FAILED',
    status: 400,
    request: (s) => postJson(s, { query: 'mutation { createDataset(input: { name: "x"' }),
  },
  {
    sends: 'an enum variable outside its enum',
    code: 'BAD_USER_INPUT',
    status: 400,
    request: (s) =>
      postJson(s, { query: 'query($s: [ExportJobStatus!]) { exportJobs(status: $s) { totalCount } }', variables: { s: ['DROP'] } }),
  },
  {
    sends: 'a mutation over GET, where a browser need not preflight',
    code: 'BAD_REQUEST',
    status: 405,
    request: (s) =>
      answerOf(
        fetch(`${s.api.server.url}?query=${encodeURIComponent(writeBoth(s))}`, {
          headers: { 'apollo-require-preflight': 'true', ...s.as(s.tokens.a) },
        }),
      ),
    // Apollo's answer to a mutation over GET: only POST may carry it.
    allow: 'POST',
  },
  {
    sends: 'a write with the PUT method',
    code: 'BAD_REQUEST',
    status: 405,
    request: (s) =>
      answerOf(
        fetch(s.api.server.url, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', ...s.as(s.tokens.a) },
          body: JSON.stringify({ query: writeBoth(s) }),
        }),
      ),
    // Apollo's answer to a method it does not serve at all.
    allow: 'GET, POST',
  },
];

const callers: Refusal[] = [
  { sends: 'a write without a token', code: 'UNAUTHENTICATED', status: 401, request: (s) => postJson(s, { query: writeBoth(s) }, TENANT_A) },
  {
    sends: 'a write with Basic credentials instead of a bearer token',
    code: 'UNAUTHENTICATED',
    status: 401,
    request: (s) => postJson(s, { query: writeBoth(s) }, { ...TENANT_A, authorization: 'Basic YWxpY2U6c2VjcmV0' }),
  },
  {
    sends: 'a write with an Authorization header of two bearer tokens',
    code: 'UNAUTHENTICATED',
    status: 401,
    request: (s) => postJson(s, { query: writeBoth(s) }, { ...TENANT_A, authorization: `Bearer ${s.tokens.a} ${s.tokens.a}` }),
  },
  {
    sends: 'a write with a valid token but no organisation header',
    code: 'UNAUTHENTICATED',
    status: 401,
    request: (s) => postJson(s, { query: writeBoth(s) }, { authorization: `Bearer ${s.tokens.a}` }),
  },
  {
    sends: 'a write whose organisation header holds a control character',
    code: 'UNAUTHENTICATED',
    status: 401,
    request: (s) => postJson(s, { query: writeBoth(s) }, s.as(s.tokens.a, { 'x-gw-ims-org-id': `${ORG_A}\t` + 'x' })),
  },
  {
    sends: 'a write whose organisation header is 49 characters long',
    code: 'UNAUTHENTICATED',
    status: 401,
    request: (s) => postJson(s, { query: writeBoth(s) }, s.as(s.tokens.a, { 'x-gw-ims-org-id': 'O'.repeat(49) })),
  },
  {
    // Its own grant, `ORG/x`, would read as sandbox x of ORG: an organisation name holds no "/".
    sends: 'a write whose organisation header holds "/", with a token granting that name',
    code: 'UNAUTHENTICATED',
    status: 401,
    request: async (s) => {
      const token = await s.sign({ tenants: [`${ORG_A}/x`] });
      return postJson(s, { query: writeBoth(s) }, s.as(token, { 'x-gw-ims-org-id': `${ORG_A}/x`, 'x-sandbox-name': 'x' }));
    },
  },
  {
    sends: 'a write with a token not valid for another five minutes (nbf)',
    code: 'UNAUTHENTICATED',
    status: 401,
    request: async (s) => {
      const token = await s.sign({ tenants: [ORG_A], nbf: Math.floor(Date.now() / 1000) + 300 });
      return postJson(s, { query: writeBoth(s) }, s.as(token));
    },
  },
  ...refusedTokensOf(),
  {
    sends: "a write with tenant B's valid token under tenant A's headers",
    code: 'FORBIDDEN',
    status: 403,
    request: (s) => postJson(s, { query: writeBoth(s) }, s.as(s.tokens.b, TENANT_A)),
  },
  {
    sends: 'a write in sandbox prod with a token that grants sandbox dev only',
    code: 'FORBIDDEN',
    status: 403,
    request: async (s) => postJson(s, { query: writeBoth(s) }, s.as(await s.sign({ tenants: [`${ORG_A}/dev`] }))),
  },
  {
    sends: 'a write with a token whose tenants claim is an object, not a list',
    code: 'FORBIDDEN',
    status: 403,
    request: async (s) => postJson(s, { query: writeBoth(s) }, s.as(await s.sign({ tenants: { [ORG_A]: true } }))),
  },
];

/** Every token of REFUSED_TOKENS, each sent with a write. */
function refusedTokensOf(): Refusal[] {
  return REFUSED_TOKENS.map(({ name, make }) => ({
    sends: `a write with a token ${name}`,
    code: 'UNAUTHENTICATED',
    status: 401,
    request: async (s: HostileServer) => postJson(s, { query: writeBoth(s) }, s.as(await make(s))),
  }));
}

const foreign: Refusal[] = [
  {
    sends: "tenant A's real cursor, as tenant B with B's valid token",
    code: 'BAD_USER_INPUT',
    status: 200,
    request: (s) => postJson(s, { query: `{ exportJobs(first: 5, after: "${s.a.jobCursor}") { edges { node { id } } } }` }, s.as(s.tokens.b, TENANT_B)),
    also: (answer) => expect(answer.body.errors[0]).toMatchObject({ message: expect.stringContaining('another organisation'), extensions: { field: 'after' } }),
  },
  {
    sends: "a cursor forged with tenant A's envelope but another tag",
    code: 'BAD_USER_INPUT',
    status: 200,
    request: (s) => postJson(s, { query: `{ exportJobs(first: 5, before: "${cursorOf('v1:job:AAAAAAAAAAAA:0:100')}") { edges { node { id } } } }` }),
  },
  {
    sends: 'a cursor of random bytes',
    code: 'BAD_USER_INPUT',
    status: 200,
    request: (s) => postJson(s, { query: '{ exportJobs(first: 5, after: "Jyk7IGRyb3AgdGFibGUgZXhwb3J0X2pvYnM7LS0") { edges { node { id } } } }' }),
  },
  {
    sends: "tenant A's job cursor on A's list of datasets",
    code: 'BAD_USER_INPUT',
    status: 200,
    request: (s) => postJson(s, { query: `{ datasets(first: 5, after: "${s.a.jobCursor}") { edges { node { id } } } }` }),
    also: (answer) => expect(answer.body.errors[0].message).toContain('not a cursor of this list'),
  },
  {
    sends: "cancelExportJob of tenant A's job, as tenant B",
    code: 'NOT_FOUND',
    status: 200,
    request: (s) => postJson(s, { query: `mutation { cancelExportJob(id: "${s.a.jobId}") { status } }` }, s.as(s.tokens.b, TENANT_B)),
  },
  {
    sends: 'cancelExportJob of an id written as SQL ("100 OR 1=1")',
    code: 'NOT_FOUND',
    status: 200,
    request: (s) => postJson(s, { query: 'mutation { cancelExportJob(id: "100 OR 1=1") { status } }' }, s.as(s.tokens.b, TENANT_B)),
  },
  {
    sends: "createExportJob as tenant B into tenant A's dataset",
    code: 'BAD_USER_INPUT',
    status: 200,
    request: (s) =>
      postJson(
        s,
        {
          query: 'mutation($i: CreateExportJobInput!) { createExportJob(input: $i) { id } }',
          variables: { i: { destination: { datasetId: s.a.datasetId }, schema: { name: '_xdm.context.profile' } } },
        },
        s.as(s.tokens.b, TENANT_B),
      ),
    also: (answer) => expect(answer.body.errors[0].extensions.field).toBe('destination.datasetId'),
  },
];

interface Absent {
  sends: string;
  request: (s: HostileServer) => Promise<Answer>;
  field: string;
}

const absent: Absent[] = [
  {
    sends: "exportJob of tenant A's job id, as tenant B",
    field: 'exportJob',
    request: (s) => postJson(s, { query: `{ exportJob(id: "${s.a.jobId}") { id status } }` }, s.as(s.tokens.b, TENANT_B)),
  },
  {
    sends: "dataset of tenant A's dataset id, as tenant B",
    field: 'dataset',
    request: (s) => postJson(s, { query: `{ dataset(id: "${s.a.datasetId}") { id name } }` }, s.as(s.tokens.b, TENANT_B)),
  },
  {
    sends: "batch of tenant A's batch id, as tenant B",
    field: 'batch',
    request: (s) => postJson(s, { query: `{ batch(id: "${s.a.batchId}") { id recordCount } }` }, s.as(s.tokens.b, TENANT_B)),
  },
];

describe.each(storageTargets)('hostile requests to /graphql on $name', (target) => {
  let s: HostileServer;

  beforeAll(async () => {
    s = await startHostileServer(target);
  });
  afterAll(() => s?.close());

  it.each([...bodies, ...callers, ...foreign].map((row) => [`${row.sends} with HTTP ${row.status} ${row.code}`, row] as const))(
    'answers %s, writes nothing and answers the next caller',
    async (_title, { request, code, status, allow, also }) => {
      const [before, errorsBefore] = [await s.writes(), s.errorLogCount()];
      const answer = await request(s);
      expect({ status: answer.status, code: codeOf(answer) }).toEqual({ status, code });
      expect(answer.body.data ?? null).toBeNull();
      if (status === 401) expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      // Every 405 row names its Allow: a row without one fails here.
      if (status === 405) expect(answer.headers.get('allow')).toBe(allow);
      also?.(answer, s);
      expect(await s.writes()).toEqual(before);
      expect(s.errorLogCount()).toBe(errorsBefore);
      await s.expectStillAnswers();
    },
  );

  it.each(absent.map((row) => [row.sends, row] as const))('answers %s with null, as for an id that does not exist', async (_sends, { request, field }) => {
    const before = await s.writes();
    const answer = await request(s);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: { [field]: null } });
    expect(await s.writes()).toEqual(before);
    await s.expectStillAnswers();
  });
});

describe.each(storageTargets)('a flood of requests to /graphql on $name', (target) => {
  const FLOOD = { 'x-gw-ims-org-id': 'ORG_FLOOD@AdobeOrg', 'x-sandbox-name': 'prod' };
  let s: HostileServer;

  beforeAll(async () => {
    s = await startHostileServer(target, { ...SMALL_LIMITS, requestsPerSecond: 5 });
  });
  afterAll(() => s?.close());

  it('refuses a tenant past its requests a second with 429 RATE_LIMITED and Retry-After, writing only what it accepted', async () => {
    const token = await s.sign({ tenants: [FLOOD['x-gw-ims-org-id']] });
    const before = await s.writes();
    const answers = await Promise.all(Array.from({ length: 20 }, () => postJson(s, { query: `mutation { ${CREATE_DATASET} }` }, s.as(token, FLOOD))));
    const accepted = answers.filter((answer) => answer.status === 200);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(accepted.length + refused.length).toBe(20);
    expect(accepted.length).toBeLessThanOrEqual(5);
    expect(refused.length).toBeGreaterThanOrEqual(15);
    for (const answer of refused) {
      expect(codeOf(answer)).toBe('RATE_LIMITED');
      expect(answer.body.data ?? null).toBeNull();
      expect(answer.headers.get('retry-after')).toBe(String(answer.body.errors[0].extensions.retryAfter));
      expect(answer.body.errors[0].extensions.retryAfter).toBeGreaterThanOrEqual(1);
    }
    // What was refused wrote nothing: one dataset for each accepted request, no more.
    expect(await s.writes()).toEqual({ ...before, datasets: before.datasets + accepted.length });
    // Another tenant is answered at once; the flooding one once its Retry-After has passed.
    await s.expectStillAnswers();
    await new Promise((resolve) => setTimeout(resolve, 1_000 * Number(refused[0]!.headers.get('retry-after')) + 100));
    const again = await postJson(s, { query: '{ exportJobs(first: 1) { totalCount } }' }, s.as(token, FLOOD));
    expect(again).toMatchObject({ status: 200, body: { data: { exportJobs: { totalCount: 0 } } } });
  });
});
