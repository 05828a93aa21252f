/**
 * Hostile `_entities` calls (the federation entry point) with AUTH_MODE=jwt:
 * another tenant's ids, ids that are no id, representations of what is no
 * entity, missing and forged tokens, and floods of representations. Another
 * tenant's entity is null, as one that does not exist; a mistake has its code
 * and HTTP status; nothing is written, nothing logged as unexpected, and the
 * next normal caller is answered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { selectsFrom } from '../helpers/expectations';
import {
  answerOf,
  codeOf,
  REFUSED_TOKENS,
  SMALL_LIMITS,
  startHostileServer,
  TENANT_A,
  TENANT_B,
  type Answer,
  type HostileServer,
} from '../helpers/hostile';

const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      __typename
      ... on ExportJob { id status imsOrgId }
      ... on Dataset { id name }
    }
  }
`;

type Representation = unknown;

const post = (s: HostileServer, payload: unknown, headers: Record<string, string>) =>
  answerOf(fetch(s.api.server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload) }));
const entities = (s: HostileServer, representations: Representation[], headers: Record<string, string>) =>
  post(s, { query: ENTITIES, variables: { representations } }, headers);
const asA = (s: HostileServer) => s.as(s.tokens.a);
const asB = (s: HostileServer) => s.as(s.tokens.b, TENANT_B);

interface Nulls {
  sends: string;
  /** Sent as tenant B unless said otherwise. */
  request(s: HostileServer): Promise<Answer>;
  expected(s: HostileServer): unknown[];
}

const nulls: Nulls[] = [
  {
    sends: "tenant A's ExportJob id, as tenant B",
    request: (s) => entities(s, [{ __typename: 'ExportJob', id: s.a.jobId }], asB(s)),
    expected: () => [null],
  },
  {
    sends: "tenant A's Dataset id, as tenant B",
    request: (s) => entities(s, [{ __typename: 'Dataset', id: s.a.datasetId }], asB(s)),
    expected: () => [null],
  },
  {
    sends: "tenant A's job and dataset between tenant B's own, as tenant B",
    request: (s) =>
      entities(
        s,
        [
          { __typename: 'Dataset', id: s.b.datasetId },
          { __typename: 'ExportJob', id: s.a.jobId },
          { __typename: 'Dataset', id: s.a.datasetId },
          { __typename: 'ExportJob', id: s.b.jobId },
        ],
        asB(s),
      ),
    expected: (s) => [
      { __typename: 'Dataset', id: s.b.datasetId, name: 'Profile export' },
      null,
      null,
      { __typename: 'ExportJob', id: s.b.jobId, status: 'NEW', imsOrgId: TENANT_B['x-gw-ims-org-id'] },
    ],
  },
  {
    sends: "tenant A's ids written into the document rather than variables, as tenant B",
    request: (s) =>
      post(
        s,
        {
          query: `{ _entities(representations: [{ __typename: "ExportJob", id: "${s.a.jobId}" }, { __typename: "Dataset", id: "${s.a.datasetId}" }]) { __typename ... on ExportJob { id } ... on Dataset { id } } }`,
        },
        asB(s),
      ),
    expected: () => [null, null],
  },
  {
    sends: 'ids written as SQL ("100 OR 1=1", "x\' OR \'1\'=\'1")',
    request: (s) =>
      entities(
        s,
        [
          { __typename: 'ExportJob', id: '100 OR 1=1' },
          { __typename: 'Dataset', id: "x' OR '1'='1" },
        ],
        asB(s),
      ),
    expected: () => [null, null],
  },
  {
    sends: 'ids holding a NUL',
    request: (s) =>
      entities(
        s,
        [
          { __typename: 'ExportJob', id: `${s.a.jobId}\u0000` },
          { __typename: 'Dataset', id: `${s.a.datasetId}\u0000` },
        ],
        asB(s),
      ),
    expected: () => [null, null],
  },
  {
    sends: 'ids of 5,000 characters',
    request: (s) =>
      entities(
        s,
        [
          { __typename: 'ExportJob', id: '9'.repeat(5_000) },
          { __typename: 'Dataset', id: 'f'.repeat(5_000) },
        ],
        asB(s),
      ),
    expected: () => [null, null],
  },
  {
    sends: 'ids that are objects ({"$ne": null}), as tenant B',
    request: (s) =>
      entities(
        s,
        [
          { __typename: 'ExportJob', id: { $ne: null } },
          { __typename: 'Dataset', id: { $ne: null } },
        ],
        asB(s),
      ),
    expected: () => [null, null],
  },
  {
    sends: "tenant A's ids wrapped in arrays or as a number, as tenant B",
    request: (s) =>
      entities(
        s,
        [
          { __typename: 'ExportJob', id: [s.a.jobId] },
          { __typename: 'Dataset', id: [s.a.datasetId, s.b.datasetId] },
          { __typename: 'ExportJob', id: Number(s.a.jobId) },
        ],
        asB(s),
      ),
    expected: () => [null, null, null],
  },
];

interface Refusal {
  sends: string;
  code: string;
  status: number;
  request(s: HostileServer): Promise<Answer>;
  also?: (answer: Answer) => void;
}

const foreignTypename = (index: number) => (answer: Answer) =>
  expect(answer.body.errors[0].extensions.field).toBe(`representations[${index}].__typename`);

const representations: Refusal[] = [
  {
    sends: 'a representation of a type no subgraph has (Campaign)',
    code: 'BAD_USER_INPUT',
    status: 200,
    request: (s) => entities(s, [{ __typename: 'Campaign', id: '1' }], asA(s)),
    also: foreignTypename(0),
  },
  {
    sends: "a representation of tenant A's batch as Batch, a type of ours that is no entity, as tenant B",
    code: 'BAD_USER_INPUT',
    status: 200,
    request: (s) => entities(s, [{ __typename: 'Batch', id: s.a.batchId }], asB(s)),
    also: foreignTypename(0),
  },
  {
    sends: 'a representation of the root type Query',
    code: 'BAD_USER_INPUT',
    status: 200,
    request: (s) => entities(s, [{ __typename: 'Query', id: '1' }], asA(s)),
    also: foreignTypename(0),
  },
  {
    sends: 'a representation without an id, and one whose id is null',
    code: 'BAD_USER_INPUT',
    status: 200,
    request: (s) => entities(s, [{ __typename: 'Dataset' }, { __typename: 'ExportJob', id: null }], asA(s)),
    also: (answer) => expect(answer.body.errors![0]!.extensions).toMatchObject({ field: 'representations[0].id' }),
  },
  {
    sends: 'a representation without __typename',
    code: 'BAD_USER_INPUT',
    status: 200,
    request: (s) => entities(s, [{ id: s.a.jobId }], asA(s)),
    also: foreignTypename(0),
  },
  {
    sends: 'a representation whose __typename is a number',
    code: 'BAD_USER_INPUT',
    status: 200,
    request: (s) => entities(s, [{ __typename: 7, id: s.a.jobId }], asA(s)),
    also: foreignTypename(0),
  },
  {
    sends: 'a representation that is a string, not an object',
    code: 'BAD_USER_INPUT',
    status: 200,
    request: (s) => entities(s, ['ExportJob:100'], asA(s)),
    also: foreignTypename(0),
  },
  {
    sends: 'a foreign representation behind two valid ones, none of which is answered',
    code: 'BAD_USER_INPUT',
    status: 200,
    request: (s) =>
      entities(
        s,
        [
          { __typename: 'ExportJob', id: s.a.jobId },
          { __typename: 'Dataset', id: s.a.datasetId },
          { __typename: 'Profile', id: 'p1' },
        ],
        asA(s),
      ),
    also: foreignTypename(2),
  },
];

const callers: Refusal[] = [
  {
    sends: "tenant A's ids without a token",
    code: 'UNAUTHENTICATED',
    status: 401,
    request: (s) => entities(s, [{ __typename: 'Dataset', id: s.a.datasetId }], TENANT_A),
  },
  ...REFUSED_TOKENS.map(
    ({ name, make }): Refusal => ({
      sends: `tenant A's ids with a token ${name}`,
      code: 'UNAUTHENTICATED',
      status: 401,
      request: async (s) => entities(s, [{ __typename: 'Dataset', id: s.a.datasetId }], s.as(await make(s))),
    }),
  ),
  {
    sends: "tenant A's ids with tenant B's valid token under A's headers",
    code: 'FORBIDDEN',
    status: 403,
    request: (s) => entities(s, [{ __typename: 'ExportJob', id: s.a.jobId }], s.as(s.tokens.b, TENANT_A)),
  },
  {
    sends: "tenant A's ids with A's token but no organisation header",
    code: 'UNAUTHENTICATED',
    status: 401,
    request: (s) => entities(s, [{ __typename: 'ExportJob', id: s.a.jobId }], { authorization: `Bearer ${s.tokens.a}` }),
  },
  {
    sends: '_entities beside _service without any header, as if it asked only for the schema',
    code: 'UNAUTHENTICATED',
    status: 401,
    request: (s) =>
      post(
        s,
        {
          query: `query($r: [_Any!]!) { _service { sdl } _entities(representations: $r) { ... on Dataset { id name } } }`,
          variables: { r: [{ __typename: 'Dataset', id: s.a.datasetId }] },
        },
        {},
      ),
  },
];

const floods: Refusal[] = [
  {
    sends: 'more aliased _entities calls than LIMIT_QUERY_ALIASES',
    code: 'TOO_MANY_ALIASES',
    status: 400,
    request: (s) => {
      const calls = Array.from({ length: SMALL_LIMITS.queryAliases! + 1 }, (_, i) => `e${i}: _entities(representations: $r) { __typename }`);
      return post(s, { query: `query($r: [_Any!]!) { ${calls.join(' ')} }`, variables: { r: [{ __typename: 'Dataset', id: s.a.datasetId }] } }, asA(s));
    },
  },
  {
    sends: 'a batch of more _entities operations than LIMIT_BATCH_OPERATIONS',
    code: 'TOO_MANY_OPERATIONS',
    status: 400,
    request: (s) =>
      post(
        s,
        Array.from({ length: SMALL_LIMITS.batchOperations! + 1 }, () => ({
          query: ENTITIES,
          variables: { representations: [{ __typename: 'Dataset', id: s.a.datasetId }] },
        })),
        asA(s),
      ),
  },
  {
    sends: '2,000 representations in variables over LIMIT_VARIABLES_BYTES',
    code: 'PAYLOAD_TOO_LARGE',
    status: 413,
    request: (s) => entities(s, Array.from({ length: 2_000 }, () => ({ __typename: 'ExportJob', id: s.a.jobId })), asA(s)),
  },
  {
    sends: '400 representations written into the document, past LIMIT_QUERY_TOKENS',
    code: 'TOO_MANY_TOKENS',
    status: 400,
    request: (s) => {
      const literal = Array.from({ length: 400 }, () => `{ __typename: "ExportJob", id: "${s.a.jobId}" }`).join(' ');
      return post(s, { query: `{ _entities(representations: [${literal}]) { __typename } }` }, asA(s));
    },
  },
  {
    sends: "entities that select every batch's records, costlier than LIMIT_QUERY_COST",
    code: 'QUERY_TOO_COSTLY',
    status: 400,
    request: (s) =>
      post(
        s,
        {
          query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Dataset { batches(first: 100) { edges { node { records(first: 100) { edges { node } } } } } } } }`,
          variables: { r: [{ __typename: 'Dataset', id: s.a.datasetId }] },
        },
        asA(s),
      ),
  },
  {
    // Priced at 20 representations when validated (1 + 20 × 13 = 261), at the 100 sent as it runs (1,301).
    sends: 'more representations than LIMIT_QUERY_COST allows for their selection, as a variable',
    code: 'QUERY_TOO_COSTLY',
    status: 400,
    request: (s) =>
      post(
        s,
        {
          query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Dataset { batches(first: 5) { edges { node { id } } } } } }`,
          variables: { r: Array.from({ length: 100 }, () => ({ __typename: 'Dataset', id: s.a.datasetId })) },
        },
        asA(s),
      ),
    also: (answer) => expect(answer.body.errors![0]!.message).toBe('The operation costs 1301 with its 100 representations, more than the limit of 1000'),
  },
  {
    // Each alias priced at its 50 with the other at 20 passed (651 + 261); together they cost 651 × 2.
    sends: 'aliased _entities fields whose representations together cost more than LIMIT_QUERY_COST, each alone less',
    code: 'QUERY_TOO_COSTLY',
    status: 400,
    request: (s) => {
      const fifty = Array.from({ length: 50 }, () => ({ __typename: 'Dataset', id: s.a.datasetId }));
      const select = '... on Dataset { batches(first: 5) { edges { node { id } } } }';
      return post(
        s,
        { query: `query($r: [_Any!]!, $q: [_Any!]!) { e0: _entities(representations: $r) { ${select} } e1: _entities(representations: $q) { ${select} } }`, variables: { r: fifty, q: fifty } },
        asA(s),
      );
    },
    also: (answer) => expect(answer.body.errors![0]!.message).toBe('The operation costs 1302 with its 50 representations, more than the limit of 1000'),
  },
];

describe.each(storageTargets)('hostile _entities calls on $name', (target) => {
  let s: HostileServer;

  beforeAll(async () => {
    s = await startHostileServer(target);
  });
  afterAll(() => s?.close());

  it.each(nulls.map((row) => [row.sends, row] as const))(
    'answers %s with null where the entity would be, writes nothing and answers the next caller',
    async (_sends, { request, expected }) => {
      const [before, errorsBefore] = [await s.writes(), s.errorLogCount()];
      const answer = await request(s);
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { data: { _entities: expected(s) } } });
      expect(await s.writes()).toEqual(before);
      expect(s.errorLogCount()).toBe(errorsBefore);
      await s.expectStillAnswers();
    },
  );

  it.each([...representations, ...callers, ...floods].map((row) => [`${row.sends} with HTTP ${row.status} ${row.code}`, row] as const))(
    'answers %s, resolves no entity, writes nothing and answers the next caller',
    async (_title, { request, code, status, also }) => {
      const [before, errorsBefore] = [await s.writes(), s.errorLogCount()];
      const answer = await request(s);
      expect({ status: answer.status, code: codeOf(answer) }).toEqual({ status, code });
      expect(answer.body.data ?? null).toBeNull();
      expect(JSON.stringify(answer.body)).not.toContain(s.a.datasetId);
      if (status === 401) expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      also?.(answer);
      expect(await s.writes()).toEqual(before);
      expect(s.errorLogCount()).toBe(errorsBefore);
      await s.expectStillAnswers();
    },
  );

  // What many representations do: their number is bounded by the bytes of the variables
  // (LIMIT_VARIABLES_BYTES) or the tokens of a literal, and the operation is priced with
  // it (LIMIT_QUERY_COST, 1,000 here: 150 × 5 fields, above). Under those bounds they are
  // answered in order, with one statement per entity type.
  it.each([
    ['as tenant A, its own ids among unknown ones', 'a' as const],
    ["as tenant B, tenant A's ids among unknown ones", 'b' as const],
  ])('answers 150 representations %s, in order and with one statement per entity type', async (_case, caller) => {
    const before = await s.writes();
    const representations = Array.from({ length: 150 }, (_, i) =>
      i % 3 === 0
        ? { __typename: 'ExportJob', id: s.a.jobId }
        : i % 3 === 1
          ? { __typename: 'Dataset', id: s.a.datasetId }
          : { __typename: 'ExportJob', id: String(900_000 + i) },
    );
    s.api.resetQueries();
    const answer = await entities(s, representations, caller === 'a' ? asA(s) : asB(s));
    const statements = { jobs: s.api.queries.filter(selectsFrom('export_jobs')).length, datasets: s.api.queries.filter(selectsFrom('datasets')).length };
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    const job = { __typename: 'ExportJob', id: s.a.jobId, status: 'NEW', imsOrgId: TENANT_A['x-gw-ims-org-id'] };
    const dataset = { __typename: 'Dataset', id: s.a.datasetId, name: 'Profile export' };
    expect(answer.body.data._entities).toEqual(
      representations.map((_, i) => (caller === 'a' && i % 3 === 0 ? job : caller === 'a' && i % 3 === 1 ? dataset : null)),
    );
    expect(statements).toEqual({ jobs: 1, datasets: 1 });
    expect(await s.writes()).toEqual(before);
    await s.expectStillAnswers();
  });
});
