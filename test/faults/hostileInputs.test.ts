/**
 * Hostile input through the real HTTP server: every client mistake is answered
 * as the client's (its code and HTTP status, the field it got wrong), never as
 * INTERNAL_SERVER_ERROR; nothing is written; the server answers the next request.
 */
import { MAX_TENANT_NAME_LENGTH } from '../../src/tenant';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batches, datasets, experienceEvents, exportJobs, profiles, segmentMemberships } from '../../src/db/schema';
import { validateExportJobInput } from '../../src/jobs/validateExportJobInput';
import { ingestNdjson, ProfileLineError } from '../../src/profiles/ingestFile';
import { profileInputDecoder } from '../../src/schema/profileInputDecoder';
import type { CreateExportJobInput } from '../../src/schema/resolvers.generated';
import { CREATE_DATASET, CREATE_EXPORT_JOB, PROFILE_SCHEMA_REF } from '../fixtures/operations';
import { storageTargets } from '../helpers/databases';
import { ingest, waitForJob } from '../helpers/exportFlow';
import { createDataset, jobInput, startServerWithDataset } from '../helpers/seedApi';
import { insertBatch } from '../helpers/seedBatches';
import { startTestServer, TENANT, type GraphQLResponse, type TestServer } from '../helpers/testServer';

const INGEST = /* GraphQL */ `
  mutation Ingest($profiles: [ProfileInput!]!) {
    ingestProfiles(profiles: $profiles) { upserted }
  }
`;
const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) { __typename ... on Dataset { id } }
  }
`;
const RECORDS = /* GraphQL */ `
  query Records($id: ID!, $after: String) {
    batch(id: $id) { records(first: 5, after: $after) { totalCount } }
  }
`;

/** Random letters and digits: no compression shrinks them below PostgreSQL's index limit. */
const incompressible = (length: number) => randomBytes(length).toString('base64url').slice(0, length);
/** Random characters of three UTF-8 bytes each (U+4E00…), the widest a character of one UTF-16 unit gets. */
const wide = (length: number) =>
  String.fromCharCode(...Array.from(randomBytes(length), (byte, i) => 0x4e00 + byte * 64 + (i % 64)));
/** A JSON object `depth` levels deep, as text: JSON.stringify itself overflows the stack at 5,000. */
const nestedJson = (depth: number) => '{"a":'.repeat(depth - 1) + '{"leaf":1}' + '}'.repeat(depth - 1);
/** A `fields` list of `paths` distinct paths of `names` names each. */
const fieldPaths = (paths: number, names: number, pad = '') =>
  Array.from({ length: paths }, (_, i) => Array.from({ length: names }, (_, j) => `n${i}_${j}${pad}`).join('.')).join(',');
const membership = (segment: Record<string, unknown>) => ({
  segments: [{ segmentId: 'seg-a', segmentNs: 'ups', status: 'REALIZED', qualificationTime: '2026-10-01T00:00:00Z', ...segment }],
});

function profile(profileId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    profileId,
    identities: [{ namespace: 'email', id: `${profileId}@example.com` }],
    updatedAt: '2026-10-01T00:00:00Z',
    ...membership({}),
    ...overrides,
  };
}

/** A profile as JSON text, with `document` (`"attributes":…`) written in by hand. */
const deepProfile = (document: string) =>
  `{"profileId":"deep","identities":[],"updatedAt":"2026-10-01T00:00:00Z",${document}}`;
const BAD_INPUT = { status: 200, code: 'BAD_USER_INPUT' };

/** A fetch's answer in the shape of a GraphQL one: JSON body and HTTP status. */
async function answerOf(request: Promise<Response>): Promise<GraphQLResponse> {
  const response = await request;
  return { ...((await response.json()) as GraphQLResponse), status: response.status, headers: response.headers };
}

describe.each(storageTargets)('hostile input on $name', (target) => {
  let api: TestServer;
  let datasetId: string;

  beforeAll(async () => ({ api, datasetId } = await startServerWithDataset(target)));
  afterAll(() => api?.close());

  const rowCounts = async () => {
    const tables = { exportJobs, datasets, profiles, segmentMemberships, experienceEvents, batches };
    const counts = await Promise.all(
      Object.entries(tables).map(async ([name, table]) => {
        const [row] = await api.database.db.select({ n: count() }).from(table);
        return [name, row!.n];
      }),
    );
    return Object.fromEntries(counts) as Record<string, number>;
  };
  const errorLogs = () => api.logs.filter((line) => JSON.parse(line).level === 'error');

  /** A request with a JSON body written by hand, for what JSON.stringify cannot write. */
  const postBody = (body: string) =>
    answerOf(fetch(api.server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...TENANT }, body }));

  /**
   * Sends a hostile request and checks the answer, that nothing was written nor
   * logged as unexpected, and that the server answers the next request.
   */
  async function expectRefused(
    send: () => Promise<GraphQLResponse>,
    expected: { status: number; code: string; field?: string; message?: string },
  ): Promise<GraphQLResponse> {
    const [before, errorsBefore] = [await rowCounts(), errorLogs().length];
    const response = await send();
    expect(response.status).toBe(expected.status);
    expect(response.errors).toHaveLength(1);
    const extensions = { code: expected.code, ...(expected.field ? { field: expected.field } : {}) };
    expect(response.errors![0]!.extensions).toMatchObject(extensions);
    if (expected.message) expect(response.errors![0]!.message).toContain(expected.message);
    expect(await rowCounts()).toEqual(before);
    expect(errorLogs()).toHaveLength(errorsBefore);
    const next = await api.graphql('{ datasets(first: 1) { totalCount } }');
    expect(next).toMatchObject({ status: 200, data: { datasets: { totalCount: expect.any(Number) } } });
    return response;
  }

  it.each([
    ['a NUL in idempotencyKey', { idempotencyKey: 'nightly\u0000' }, 'idempotencyKey'],
    ['a NUL in a segmentId', { filter: { segments: [{ segmentId: 'seg\u0000a' }] } }, 'filter.segments[0].segmentId'],
    ['a NUL in mergePolicy.id', { mergePolicy: { id: 'mp\u0000' } }, 'mergePolicy.id'],
    ['a NUL in destination.datasetId', { destination: { datasetId: 'ds\u0000' } }, 'destination.datasetId'],
    [
      'a 5,000-character segmentId',
      { filter: { segments: [{ segmentId: incompressible(5000) }] } },
      'filter.segments[0].segmentId',
    ],
    ['a 256-character mergePolicy.id', { mergePolicy: { id: 'm'.repeat(256) } }, 'mergePolicy.id'],
    ['10,000 paths in fields', { fields: fieldPaths(10_000, 1) }, 'fields'],
    ['201 paths in fields', { fields: fieldPaths(201, 1) }, 'fields'],
    ['a fields path of 11 names', { fields: fieldPaths(1, 11) }, 'fields'],
    [
      '10,000 event paths',
      { additionalFields: { eventList: { fields: fieldPaths(10_000, 1) } } },
      'additionalFields.eventList.fields',
    ],
  ])('refuses a job with %s as BAD_USER_INPUT naming the field, creating nothing', async (_case, overrides, field) => {
    const input = jobInput(datasetId, overrides);
    await expectRefused(() => api.graphql(CREATE_EXPORT_JOB, { input }), { ...BAD_INPUT, field });
  });

  it('creates a job at every limit of keys and fields lists, and refuses one past any of them', async () => {
    const atLimits = {
      idempotencyKey: wide(255),
      mergePolicy: { id: wide(255) },
      filter: { segments: [{ segmentId: wide(255), segmentNs: wide(255) }] },
      fields: fieldPaths(200, 10),
      additionalFields: { eventList: { fields: fieldPaths(200, 10) } },
    };
    const pastLimits: [Record<string, unknown>, string][] = [
      [{ filter: { segments: [{ segmentId: 's', segmentNs: wide(256) }] } }, 'filter.segments[0].segmentNs'],
      [{ mergePolicy: { id: wide(256) } }, 'mergePolicy.id'],
      [{ fields: fieldPaths(201, 10) }, 'fields'],
      [{ additionalFields: { eventList: { fields: fieldPaths(1, 11) } } }, 'additionalFields.eventList.fields'],
    ];
    for (const [overrides, field] of pastLimits) {
      const input = jobInput(datasetId, { ...atLimits, ...overrides });
      await expectRefused(() => api.graphql(CREATE_EXPORT_JOB, { input }), { ...BAD_INPUT, field });
    }
    const created = await api.graphql(CREATE_EXPORT_JOB, { input: jobInput(datasetId, atLimits) });
    expect(created.errors).toBeUndefined();
    expect(created.data!.createExportJob).toMatchObject({ mergePolicy: atLimits.mergePolicy, fields: atLimits.fields });
  });

  it.each([
    ['a NUL in the name', { name: 'Export\u0000' }, 'name'],
    ['a 5,000-character name', { name: incompressible(5000) }, 'name'],
    ['a NUL in schemaRef.id', { schemaRef: { ...PROFILE_SCHEMA_REF, id: 'https://ns\u0000' } }, 'schemaRef.id'],
  ])('refuses a dataset with %s as BAD_USER_INPUT naming the field, creating nothing', async (_case, overrides, field) => {
    const input = { name: 'Export', schemaRef: PROFILE_SCHEMA_REF, ...overrides };
    await expectRefused(() => api.graphql(CREATE_DATASET, { input }), { ...BAD_INPUT, field });
  });

  it.each([
    ['a 5,000-character profileId', (id: string) => ({ profileId: id }), 'profiles[0].profileId'],
    ['a 5,000-character segmentId', (id: string) => membership({ segmentId: id }), 'profiles[0].segments[0].segmentId'],
    ['a 5,000-character segmentNs', (id: string) => membership({ segmentNs: id }), 'profiles[0].segments[0].segmentNs'],
    [
      'a 5,000-character identity namespace',
      (id: string) => ({ identities: [{ namespace: id, id: 'x' }] }),
      'profiles[0].identities[0].namespace',
    ],
    ['a 5,000-character identity id', (id: string) => ({ identities: [{ namespace: 'ecid', id }] }), 'profiles[0].identities[0].id'],
  ])('refuses a profile with %s naming the field, storing nothing, and stores one of 255', async (_case, withId, field) => {
    const profiles = [profile('long', withId(incompressible(5000)))];
    await expectRefused(() => api.graphql(INGEST, { profiles }), { ...BAD_INPUT, field });
    // 255 characters of three bytes each, in every id at once: the widest index entry still fits.
    const widest = profile(wide(255), {
      identities: [{ namespace: wide(255), id: wide(255) }],
      ...membership({ segmentId: wide(255), segmentNs: wide(255) }),
    });
    // …under a tenant whose organisation and sandbox are at their limit too (48 characters;
    // HTTP headers are Latin-1, whose upper half takes two bytes in UTF-8).
    const latin1 = () =>
      Array.from({ length: MAX_TENANT_NAME_LENGTH }, () => String.fromCharCode(0xc0 + Math.floor(Math.random() * 64))).join('');
    const widestTenant = { 'x-gw-ims-org-id': latin1(), 'x-sandbox-name': latin1() };
    const stored = await api.graphql(INGEST, { profiles: [{ ...widest, ...withId(wide(255)) }] }, widestTenant);
    expect(stored.errors).toBeUndefined();
  });

  it.each([
    ['attributes', (json: string) => `"attributes":${json}`, 'profiles[0].attributes'],
    [
      'event data',
      (json: string) => `"events":[{"ingestTime":"2026-10-01T00:00:00Z","data":${json}}]`,
      'profiles[0].events[0].data',
    ],
  ])('refuses %s nested 5,000 or 33 levels deep as BAD_USER_INPUT, and stores 32', async (_case, document, field) => {
    const body = (depth: number) =>
      `{"query":${JSON.stringify(INGEST)},"variables":{"profiles":[${deepProfile(document(nestedJson(depth)))}]}}`;
    for (const depth of [5000, 33]) {
      await expectRefused(() => postBody(body(depth)), { ...BAD_INPUT, field, message: 'more than 32 levels deep' });
    }
    expect(await postBody(body(32))).toMatchObject({ status: 200, data: { ingestProfiles: { upserted: 1 } } });
  });

  it('measures variables holding an array of 200,000 items, and answers them as any other', async () => {
    // Under LIMIT_VARIABLES_BYTES: their size was measured with a spread of the array, which overflowed the stack (a bare 500).
    const items = `${'0,'.repeat(199_999)}0`;
    const body = `{"query":${JSON.stringify(INGEST)},"variables":{"profiles":[${deepProfile(`"attributes":{"v":[${items}]}`)}]}}`;
    expect(await postBody(body)).toMatchObject({ status: 200, data: { ingestProfiles: { upserted: 1 } } });
  });

  it('refuses a file line nested 5,000 levels deep, naming its line and field', async () => {
    const file = `${JSON.stringify(profile('p1'))}\n${deepProfile(`"attributes":${nestedJson(5000)}`)}\n`;
    const tenant = { orgId: 'org-deep-file', sandboxName: 'prod' };
    const failure = await ingestNdjson(api.database, tenant, Readable.from([file]), { decodeProfile: profileInputDecoder() }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProfileLineError);
    expect(failure).toMatchObject({ line: 2, field: 'attributes' });
  });

  it.each([
    ['a malformed date', { filter: { fromIngestTimestamp: 'yesterday' } }, 'input.filter.fromIngestTimestamp', '"yesterday"'],
    // RFC 3339 takes year 0000, PostgreSQL does not: the job would fail when it ran.
    ['a date in year 0', { filter: { fromIngestTimestamp: '0000-06-01T00:00:00Z' } }, 'input.filter.fromIngestTimestamp', '"0000-06-01T00:00:00Z"'],
    [
      'a date in year 0 once in UTC',
      { filter: { segments: [{ segmentId: 's' }], segmentQualificationTime: { startTime: '0001-01-01T00:30:00+01:00' } } },
      'input.filter.segmentQualificationTime.startTime',
      '"0001-01-01T00:30:00+01:00"',
    ],
    [
      'an unknown enum value',
      { filter: { segments: [{ segmentId: 's', status: ['GONE'] }] } },
      'input.filter.segments[0].status[0]',
      '"GONE"',
    ],
  ])('reports %s inside $input at its path in the variable, with HTTP 400', async (_case, overrides, field, value) => {
    const input = jobInput(datasetId, overrides);
    const response = await expectRefused(() => api.graphql(CREATE_EXPORT_JOB, { input }), {
      status: 400,
      code: 'BAD_USER_INPUT',
      field,
      message: `Variable "$input" got invalid value ${value} at "${field}"; `,
    });
    // Where `$input` is declared, as graphql-js reports it.
    expect(response.errors![0]).toMatchObject({ locations: [{ line: 2, column: 28 }] });
  });

  it('reports an unknown segment status of a profile at its path in $profiles', async () => {
    const profiles = [profile('p1', membership({ status: 'GONE' }))];
    const field = 'profiles[0].segments[0].status';
    const expected = { status: 400, code: 'BAD_USER_INPUT', field, message: `at "${field}"` };
    await expectRefused(() => api.graphql(INGEST, { profiles }), expected);
  });

  it.each([
    ['updatedAt', { updatedAt: '0000-06-01T00:00:00Z' }],
    ['segments[0].qualificationTime', membership({ qualificationTime: '0001-01-01T00:30:00+01:00' })],
    ['events[0].ingestTime', { events: [{ ingestTime: '0000-12-31T23:59:59Z', data: {} }] }],
  ])('refuses a profile whose %s falls before the year 0001 in UTC, at its path in $profiles', async (path, overrides) => {
    const field = `profiles[0].${path}`;
    const expected = { status: 400, code: 'BAD_USER_INPUT', field, message: 'DateTime must fall between the years 0001 and 9999 in UTC' };
    await expectRefused(() => api.graphql(INGEST, { profiles: [profile('p1', overrides)] }), expected);
  });

  it('refuses a DateTime literal in year 0 as the query is validated', async () => {
    const query = 'mutation { ingestProfiles(profiles: [{ profileId: "p1", identities: [], updatedAt: "0000-06-01T00:00:00Z" }]) { upserted } }';
    const expected = { status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: 'DateTime must fall between the years 0001 and 9999 in UTC' };
    await expectRefused(() => api.graphql(query, {}), expected);
  });

  it('answers 404 NOT_FOUND for GET /data/batches/%00/records', async () => {
    const url = new URL('/data/batches/%00/records', api.server.url);
    await expectRefused(() => answerOf(fetch(url, { headers: TENANT })), { status: 404, code: 'NOT_FOUND' });
  });

  it('answers an unknown operationName with 400 OPERATION_RESOLUTION_FAILURE, running no other operation', async () => {
    const query = 'mutation Create($input: CreateDatasetInput!) { createDataset(input: $input) { id } }';
    const variables = { input: { name: 'Not me', schemaRef: PROFILE_SCHEMA_REF } };
    const body = JSON.stringify({ query, operationName: 'Other', variables });
    const response = await expectRefused(() => postBody(body), { status: 400, code: 'OPERATION_RESOLUTION_FAILURE' });
    expect(response.errors![0]!.message).toBe('Unknown operation named "Other".');
  });

  it.each([
    ['a type of ours that is no entity', 'Batch'],
    ['an unknown type', 'Campaign'],
  ])('refuses an _entities representation of %s as BAD_USER_INPUT', async (_case, typename) => {
    const representations = [{ __typename: 'Dataset', id: datasetId }, { __typename: typename, id: 'x' }];
    const field = 'representations[1].__typename';
    await expectRefused(() => api.graphql(ENTITIES, { representations }), { ...BAD_INPUT, field });
  });

  it('answers null for a dataset, batch or entity id with a NUL, as for any unknown id', async () => {
    const errorsBefore = errorLogs().length;
    const ids = 'query Ids($id: ID!) { dataset(id: $id) { id } batch(id: $id) { id } }';
    const response = await api.graphql(ids, { id: '\u0000' });
    expect(response).toMatchObject({ status: 200, data: { dataset: null, batch: null } });
    const entities = await api.graphql(ENTITIES, { representations: [{ __typename: 'Dataset', id: 'a\u0000' }] });
    expect(entities).toMatchObject({ status: 200, data: { _entities: [null] } });
    expect(errorLogs()).toHaveLength(errorsBefore);
  });

  it('refuses a forged records cursor holding a NUL as BAD_USER_INPUT', async () => {
    const batch = await insertBatch(api, { datasetId });
    const tag = createHash('sha256').update(`${TENANT['x-gw-ims-org-id']}\nprod`).digest('base64url').slice(0, 12);
    const after = Buffer.from(`v1:record:${tag}:p\u0000`, 'utf8').toString('base64url');
    await expectRefused(() => api.graphql(RECORDS, { id: batch.id, after }), { ...BAD_INPUT, field: 'after' });
  });
});

describe.each(storageTargets)('hostile fields lists at run time on $name', (target) => {
  let api: TestServer;
  let datasetId: string;

  beforeAll(async () => {
    api = await startTestServer(target, { concurrency: 1 });
    datasetId = await createDataset(api);
    const events = [{ ingestTime: '2026-01-01T00:00:00Z', data: { n0_0: 2 } }];
    await ingest(api, [{ profileId: 'p1', attributes: { n0_0: { n0_1: 1 } }, events }]);
  });
  afterAll(() => api?.close());

  it('refuses fields lists past the limits at create, and exports lists at them: 200 paths of 10 names', async () => {
    const tooMany = jobInput(datasetId, { filter: null, fields: fieldPaths(201, 1) });
    const refused = await api.graphql(CREATE_EXPORT_JOB, { input: tooMany });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'fields' });
    const fields = fieldPaths(200, 10);
    const input = jobInput(datasetId, { filter: null, fields, additionalFields: { eventList: { fields } } });
    const created = await api.graphql(CREATE_EXPORT_JOB, { input });
    expect(created.errors).toBeUndefined();
    const job = await waitForJob(api, created.data!.createExportJob.id as string);
    expect(job).toMatchObject({ status: 'SUCCEEDED', metrics: { totalExportedProfileCounter: 1 } });
  });

  it('logs a failed export statement with megabytes of parameters in a bounded line', async () => {
    // A job stored before the limits: 2,000 paths of 1,000-character names, a statement of 4 MB that fails.
    const input = jobInput(datasetId, { filter: null, fields: null }) as unknown as CreateExportJobInput;
    const fields = fieldPaths(2000, 1, 'x'.repeat(1000));
    const [row] = await api.database.db
      .insert(exportJobs)
      .values({ orgId: TENANT['x-gw-ims-org-id'], sandboxName: 'prod', ...validateExportJobInput(input), fields, requestId: 'legacy' })
      .returning();
    expect(await waitForJob(api, String(row!.id))).toMatchObject({ status: 'FAILED' });
    const [line] = api.logs.filter((entry) => JSON.parse(entry).message === 'Export job failed');
    expect(line!.length).toBeLessThan(20_000);
    expect(line).toContain('more characters cut');
  });
});
