/**
 * Hostile requests to GET /data/batches/{id}/records with AUTH_MODE=jwt:
 * missing, forged and foreign tokens, another tenant's batch, ids that are no
 * id (NUL, traversal, broken escapes, SQL), other methods, HEAD, and a flood.
 * Each is answered with its code and HTTP status, streams no record, writes
 * nothing, logs nothing as unexpected, and the next normal caller is answered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import {
  answerOf,
  codeOf,
  rawRequest,
  REFUSED_TOKENS,
  SMALL_LIMITS,
  startHostileServer,
  TENANT_A,
  TENANT_B,
  type Answer,
  type HostileServer,
} from '../helpers/hostile';

const recordsPath = (id: string) => `/data/batches/${id}/records`;
const recordsUrl = (s: HostileServer, id: string) => new URL(recordsPath(id), s.api.server.url).toString();
/** GET (or `method`) of a batch's records, the path sent exactly as written. */
const get = (s: HostileServer, path: string, headers: Record<string, string>, method = 'GET', body?: string) =>
  rawRequest(s.api.server.url, { method, path, headers, ...(body === undefined ? {} : { body }) });

interface Refusal {
  sends: string;
  code: string;
  status: number;
  request(s: HostileServer): Promise<Answer>;
  also?: (answer: Answer) => void;
}

const callers: Refusal[] = [
  { sends: "a GET of tenant A's batch without a token", code: 'UNAUTHENTICATED', status: 401, request: (s) => get(s, recordsPath(s.a.batchId), TENANT_A) },
  {
    sends: "a GET of tenant A's batch with Basic credentials",
    code: 'UNAUTHENTICATED',
    status: 401,
    request: (s) => get(s, recordsPath(s.a.batchId), { ...TENANT_A, authorization: 'Basic YWxpY2U6c2VjcmV0' }),
  },
  {
    sends: "a GET of tenant A's batch with A's token but no organisation header",
    code: 'UNAUTHENTICATED',
    status: 401,
    request: (s) => get(s, recordsPath(s.a.batchId), { authorization: `Bearer ${s.tokens.a}` }),
  },
  ...REFUSED_TOKENS.map(
    ({ name, make }): Refusal => ({
      sends: `a GET of tenant A's batch with a token ${name}`,
      code: 'UNAUTHENTICATED',
      status: 401,
      request: async (s) => get(s, recordsPath(s.a.batchId), s.as(await make(s))),
    }),
  ),
  {
    sends: "a GET of tenant A's batch with tenant B's valid token under A's headers",
    code: 'FORBIDDEN',
    status: 403,
    request: (s) => get(s, recordsPath(s.a.batchId), s.as(s.tokens.b, TENANT_A)),
  },
];

const ids: Refusal[] = [
  {
    sends: "a GET of tenant A's batch id as tenant B, with B's own valid token",
    code: 'NOT_FOUND',
    status: 404,
    request: (s) => get(s, recordsPath(s.a.batchId), s.as(s.tokens.b, TENANT_B)),
  },
  { sends: 'a GET of the id %00', code: 'NOT_FOUND', status: 404, request: (s) => get(s, recordsPath('%00'), s.as(s.tokens.a)) },
  {
    sends: "a GET of tenant A's batch id followed by %00",
    code: 'NOT_FOUND',
    status: 404,
    request: (s) => get(s, recordsPath(`${s.a.batchId}%00`), s.as(s.tokens.a)),
  },
  { sends: 'a GET of the id .. written as is', code: 'NOT_FOUND', status: 404, request: (s) => get(s, recordsPath('..'), s.as(s.tokens.a)) },
  { sends: 'a GET of the id %2e%2e', code: 'NOT_FOUND', status: 404, request: (s) => get(s, recordsPath('%2e%2e'), s.as(s.tokens.a)) },
  {
    sends: 'a GET of the id ..%2F..%2Fetc%2Fpasswd',
    code: 'NOT_FOUND',
    status: 404,
    request: (s) => get(s, recordsPath('..%2F..%2Fetc%2Fpasswd'), s.as(s.tokens.a)),
  },
  {
    sends: "a GET of tenant A's batch id behind an escaped slash, as tenant B (..%2F<id>)",
    code: 'NOT_FOUND',
    status: 404,
    request: (s) => get(s, recordsPath(`..%2F${s.a.batchId}`), s.as(s.tokens.b, TENANT_B)),
  },
  { sends: 'a GET of a broken percent escape (%E0%A4%A)', code: 'NOT_FOUND', status: 404, request: (s) => get(s, recordsPath('%E0%A4%A'), s.as(s.tokens.a)) },
  {
    sends: "a GET of an id written as SQL (' OR '1'='1)",
    code: 'NOT_FOUND',
    status: 404,
    request: (s) => get(s, recordsPath(encodeURIComponent("' OR '1'='1")), s.as(s.tokens.a)),
  },
  {
    sends: 'a GET of a LIKE pattern (%25) as tenant B',
    code: 'NOT_FOUND',
    status: 404,
    request: (s) => get(s, recordsPath('%25'), s.as(s.tokens.b, TENANT_B)),
  },
  { sends: 'a GET of an id of 5,000 characters', code: 'NOT_FOUND', status: 404, request: (s) => get(s, recordsPath('x'.repeat(5_000)), s.as(s.tokens.a)) },
];

const methods: Refusal[] = [
  ...['POST', 'PUT', 'DELETE', 'PATCH'].map(
    (method): Refusal => ({
      sends: `a ${method} of tenant A's batch, with A's valid token`,
      code: 'BAD_REQUEST',
      status: 405,
      request: (s) => get(s, recordsPath(s.a.batchId), { 'content-type': 'application/json', ...s.as(s.tokens.a) }, method, '{"records":[]}'),
      also: (answer) => expect(answer.headers.get('allow')).toBe('GET, HEAD'),
    }),
  ),
  {
    sends: 'a POST without any token',
    code: 'BAD_REQUEST',
    status: 405,
    request: (s) => get(s, recordsPath(s.a.batchId), TENANT_A, 'POST', '{}'),
    also: (answer) => expect(answer.headers.get('allow')).toBe('GET, HEAD'),
  },
];

/** HEAD: the status and headers of a GET, without a body. */
const heads: { sends: string; status: number; request(s: HostileServer): Promise<Answer> }[] = [
  { sends: "a HEAD of tenant A's batch without a token", status: 401, request: (s) => get(s, recordsPath(s.a.batchId), TENANT_A, 'HEAD') },
  {
    sends: "a HEAD of tenant A's batch with B's token under A's headers",
    status: 403,
    request: (s) => get(s, recordsPath(s.a.batchId), s.as(s.tokens.b, TENANT_A), 'HEAD'),
  },
  {
    sends: "a HEAD of tenant A's batch as tenant B",
    status: 404,
    request: (s) => get(s, recordsPath(s.a.batchId), s.as(s.tokens.b, TENANT_B), 'HEAD'),
  },
];

describe.each(storageTargets)('hostile requests to the records route on $name', (target) => {
  let s: HostileServer;

  beforeAll(async () => {
    s = await startHostileServer(target);
  });
  afterAll(() => s?.close());

  /** The normal caller: tenant A reads its batch's two records, and GraphQL answers too. */
  async function expectStillAnswers(): Promise<void> {
    const answer = await answerOf(fetch(recordsUrl(s, s.a.batchId), { headers: s.as(s.tokens.a) }));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/x-ndjson');
    expect(String(answer.body).trim().split('\n')).toHaveLength(2);
    await s.expectStillAnswers();
  }

  it.each([...callers, ...ids, ...methods].map((row) => [`${row.sends} with HTTP ${row.status} ${row.code}`, row] as const))(
    'answers %s, streams no record, writes nothing and answers the next caller',
    async (_title, { request, code, status, also }) => {
      const [before, errorsBefore] = [await s.writes(), s.errorLogCount()];
      const answer = await request(s);
      expect({ status: answer.status, code: codeOf(answer) }).toEqual({ status, code });
      expect(answer.headers.get('content-type')).toBe('application/json');
      expect(JSON.stringify(answer.body)).not.toContain('@example.com'); // no record of anyone
      if (status === 401) expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      also?.(answer);
      expect(await s.writes()).toEqual(before);
      expect(s.errorLogCount()).toBe(errorsBefore);
      await expectStillAnswers();
    },
  );

  it.each(heads.map((row) => [`${row.sends} with HTTP ${row.status} and no body`, row] as const))(
    'answers %s, writes nothing and answers the next caller',
    async (_title, { request, status }) => {
      const before = await s.writes();
      const answer = await request(s);
      expect({ status: answer.status, body: answer.body }).toEqual({ status, body: '' });
      if (status === 401) expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      expect(await s.writes()).toEqual(before);
      await expectStillAnswers();
    },
  );

  it("answers tenant A's own HEAD with 200 and the NDJSON type, without a body", async () => {
    const answer = await get(s, recordsPath(s.a.batchId), s.as(s.tokens.a), 'HEAD');
    expect(answer).toMatchObject({ status: 200, body: '' });
    expect(answer.headers.get('content-type')).toBe('application/x-ndjson');
  });
});

describe.each(storageTargets)('a flood of requests to the records route on $name', (target) => {
  let s: HostileServer;

  beforeAll(async () => {
    s = await startHostileServer(target, { ...SMALL_LIMITS, requestsPerSecond: 5 });
  });
  afterAll(() => s?.close());

  // The route counts each request against the tenant's rate limit, as GraphQL does.
  it('refuses a tenant past its requests a second with 429 RATE_LIMITED and Retry-After', async () => {
    const before = await s.writes();
    // Tenant A's setup requests opened a window of the limit: once it has passed, the burst
    // has a whole window to itself (one that ended mid-burst let a sixth through on CI).
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => answerOf(fetch(recordsUrl(s, s.a.batchId), { headers: s.as(s.tokens.a) }))),
    );
    const refused = answers.filter((answer) => answer.status === 429);
    expect(answers.filter((answer) => answer.status === 200).length).toBeLessThanOrEqual(5);
    expect(refused.length).toBeGreaterThanOrEqual(15);
    for (const answer of refused) {
      expect(codeOf(answer)).toBe('RATE_LIMITED');
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(await s.writes()).toEqual(before);
  });

  it('answers a flood of requests without a valid token with 401 each, and the next caller at once', async () => {
    const before = await s.writes();
    const answers = await Promise.all(Array.from({ length: 50 }, () => get(s, recordsPath(s.a.batchId), s.as('not.a.jwt'))));
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 401));
    expect(await s.writes()).toEqual(before);
    // Past the second whose budget the rate-limit test above spent (refused callers spend none).
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const answer = await answerOf(fetch(recordsUrl(s, s.a.batchId), { headers: s.as(s.tokens.a) }));
    expect(answer.status).toBe(200);
  });
});
