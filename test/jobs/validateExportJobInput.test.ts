import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_DATASET, CREATE_EXPORT_JOB, PROFILE_SCHEMA_REF } from '../fixtures/operations';
import { storageTargets } from '../helpers/databases';
import { createDataset, jobInput, startServerWithDataset } from '../helpers/seedApi';
import type { GraphQLResponse, TestServer } from '../helpers/testServer';

const COUNT_EXPORT_JOBS = /* GraphQL */ `
  query CountExportJobs {
    exportJobs { totalCount }
  }
`;

const COUNT_DATASETS = /* GraphQL */ `
  query CountDatasets {
    datasets { totalCount }
  }
`;

const OTHER_ORG = { 'x-gw-ims-org-id': 'ORG_B@AdobeOrg' };

const isWrite = (query: string) => /^\s*(insert|update|delete)\b/i.test(query);

const MALFORMED_FIELDS = ['a..b', '.a', 'a.', 'a,,b', 'a b', 'a,b c'];

const segments = (count: number) => Array.from({ length: count }, (_, index) => ({ segmentId: `segment-${index}` }));

/** Inputs that break a rule checked without the database, with the input path the error must name. */
const INVALID_INPUTS: { label: string; field: string; overrides: Record<string, unknown> }[] = [
  {
    label: 'a schema other than the profile schema',
    field: 'schema.name',
    overrides: { schema: { name: '_xdm.context.experienceevent' } },
  },
  {
    label: 'an empty segmentId',
    field: 'filter.segments[0].segmentId',
    overrides: { filter: { segments: [{ segmentId: '' }] } },
  },
  {
    label: 'a whitespace segmentId',
    field: 'filter.segments[0].segmentId',
    overrides: { filter: { segments: [{ segmentId: '  ' }] } },
  },
  {
    label: 'a segmentId listed twice',
    field: 'filter.segments[1].segmentId',
    overrides: { filter: { segments: [{ segmentId: 'seg-1' }, { segmentId: 'seg-1', segmentNs: 'ups' }] } },
  },
  { label: '101 segments', field: 'filter.segments', overrides: { filter: { segments: segments(101) } } },
  {
    label: 'an empty qualification window',
    field: 'filter.segmentQualificationTime',
    overrides: {
      filter: {
        segmentQualificationTime: { startTime: '2026-01-01T00:00:00Z', endTime: '2026-01-01T01:00:00+01:00' },
      },
    },
  },
  {
    label: 'a reversed qualification window',
    field: 'filter.segmentQualificationTime',
    overrides: {
      filter: { segmentQualificationTime: { startTime: '2026-02-01T00:00:00Z', endTime: '2026-01-01T00:00:00Z' } },
    },
  },
  {
    label: 'an empty event ingest window',
    field: 'additionalFields.eventList.filter',
    overrides: {
      additionalFields: {
        eventList: {
          filter: { fromIngestTimestamp: '2026-01-01T00:00:00Z', toIngestTimestamp: '2026-01-01T00:00:00.000Z' },
        },
      },
    },
  },
  {
    label: 'a reversed event ingest window',
    field: 'additionalFields.eventList.filter',
    overrides: {
      additionalFields: {
        eventList: {
          filter: { fromIngestTimestamp: '2026-01-02T00:00:00Z', toIngestTimestamp: '2026-01-01T00:00:00Z' },
        },
      },
    },
  },
  ...MALFORMED_FIELDS.map((fields) => ({
    label: `fields ${JSON.stringify(fields)}`,
    field: 'fields',
    overrides: { fields },
  })),
  ...MALFORMED_FIELDS.map((fields) => ({
    label: `event list fields ${JSON.stringify(fields)}`,
    field: 'additionalFields.eventList.fields',
    overrides: { additionalFields: { eventList: { fields } } },
  })),
  { label: 'an empty idempotencyKey', field: 'idempotencyKey', overrides: { idempotencyKey: '' } },
  { label: 'a 256-character idempotencyKey', field: 'idempotencyKey', overrides: { idempotencyKey: 'k'.repeat(256) } },
  { label: 'an empty segment list', field: 'filter.segments', overrides: { filter: { segments: [] } } },
  {
    label: 'a qualification window without segments',
    field: 'filter.segmentQualificationTime',
    overrides: { filter: { segmentQualificationTime: { startTime: '2026-01-01T00:00:00Z' } } },
  },
  {
    label: 'a batch per segment without segments',
    field: 'destination.segmentPerBatch',
    overrides: { filter: null, destination: { datasetId: 'checked-only-after-the-input-itself', segmentPerBatch: true } },
  },
];

describe.each(storageTargets)('validateExportJobInput on $name', (target) => {
  let api: TestServer;
  let datasetId: string;

  beforeAll(async () => ({ api, datasetId } = await startServerWithDataset(target)));
  afterAll(() => api?.close());

  async function jobCount(): Promise<number> {
    const response = await api.graphql(COUNT_EXPORT_JOBS);
    expect(response.errors).toBeUndefined();
    return response.data!.exportJobs.totalCount as number;
  }

  /** Sends `input` and checks it is refused as BAD_USER_INPUT naming `field`, with no row written. */
  async function expectRefused(input: Record<string, unknown>, field: string): Promise<GraphQLResponse> {
    const before = await jobCount();
    api.resetQueries();
    const response = await api.graphql(CREATE_EXPORT_JOB, { input });
    const writes = api.queries.filter(isWrite);
    expect(response.data).toBeNull();
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]).toMatchObject({
      path: ['createExportJob'],
      extensions: { code: 'BAD_USER_INPUT', field },
    });
    expect(writes).toEqual([]);
    expect(await jobCount()).toBe(before);
    return response;
  }

  /** Sends `input` and checks it creates exactly one job, which it returns. */
  async function expectAccepted(input: Record<string, unknown>): Promise<Record<string, any>> {
    const before = await jobCount();
    const response = await api.graphql(CREATE_EXPORT_JOB, { input });
    expect(response.errors).toBeUndefined();
    expect(response.data!.createExportJob.status).toBe('NEW');
    expect(await jobCount()).toBe(before + 1);
    return response.data!.createExportJob as Record<string, any>;
  }

  it.each(INVALID_INPUTS)('refuses $label at $field and writes nothing', async ({ overrides, field }) => {
    await expectRefused(jobInput(datasetId, overrides), field);
  });

  it('refuses a dataset that does not exist at destination.datasetId and writes nothing', async () => {
    const response = await expectRefused(
      jobInput(datasetId, { destination: { datasetId: 'ffffffffffffffffffffffff' } }),
      'destination.datasetId',
    );
    expect(response.errors![0]!.message).toContain('ffffffffffffffffffffffff');
  });

  it("refuses another tenant's dataset exactly as if it did not exist", async () => {
    const theirs = await createDataset(api, OTHER_ORG);
    const missing = 'a'.repeat(theirs.length);
    const refuse = (id: string) =>
      expectRefused(jobInput(datasetId, { destination: { datasetId: id } }), 'destination.datasetId');
    const forTheirs = await refuse(theirs);
    const forMissing = await refuse(missing);
    const anonymised = (response: GraphQLResponse, id: string) => ({
      data: response.data,
      status: response.status,
      errors: response.errors!.map((error) => ({ ...error, message: error.message.replaceAll(id, '<id>') })),
    });
    expect(anonymised(forTheirs, theirs)).toEqual(anonymised(forMissing, missing));
  });

  it('accepts exactly 100 segments', async () => {
    const job = await expectAccepted(jobInput(datasetId, { filter: { segments: segments(100) } }));
    expect(job.filter.segments).toHaveLength(100);
  });

  it.each([
    { bound: 'startTime', window: { startTime: '2026-01-01T00:00:00Z' } },
    { bound: 'endTime', window: { endTime: '2026-01-01T00:00:00Z' } },
  ])('accepts a qualification window with only its $bound', async ({ window }) => {
    const job = await expectAccepted(jobInput(datasetId, { filter: { segments: segments(1), segmentQualificationTime: window } }));
    expect(job.filter.segmentQualificationTime).toEqual({
      startTime: null,
      endTime: null,
      ...Object.fromEntries(Object.keys(window).map((key) => [key, '2026-01-01T00:00:00.000Z'])),
    });
  });

  it.each([
    { bound: 'fromIngestTimestamp', filter: { fromIngestTimestamp: '2026-01-01T00:00:00Z' } },
    { bound: 'toIngestTimestamp', filter: { toIngestTimestamp: '2026-01-01T00:00:00Z' } },
  ])('accepts an event ingest window with only its $bound', async ({ filter }) => {
    const job = await expectAccepted(jobInput(datasetId, { additionalFields: { eventList: { filter } } }));
    expect(job.additionalFields.eventList.filter).toEqual({
      fromIngestTimestamp: null,
      toIngestTimestamp: null,
      ...Object.fromEntries(Object.keys(filter).map((key) => [key, '2026-01-01T00:00:00.000Z'])),
    });
  });

  it.each(['identities.id,personalEmail.address', '_tenant.loyalty.points'])(
    'accepts the well-formed fields list %j as given',
    async (fields) => {
      const job = await expectAccepted(
        jobInput(datasetId, { fields, additionalFields: { eventList: { fields } } }),
      );
      expect(job.fields).toBe(fields);
      expect(job.additionalFields.eventList.fields).toBe(fields);
    },
  );

  it('treats an empty fields list as every field', async () => {
    const job = await expectAccepted(
      jobInput(datasetId, { fields: '', additionalFields: { eventList: { fields: '' } } }),
    );
    expect(job.fields).toBeNull();
    expect(job.additionalFields.eventList.fields).toBeNull();
  });

  it.each([
    {
      where: 'the profile ingest filter',
      value: '2026-01-01',
      overrides: (value: string) => ({ filter: { fromIngestTimestamp: value } }),
    },
    {
      where: 'the qualification window',
      value: '2026-01-01T00:00:00',
      overrides: (value: string) => ({ filter: { segmentQualificationTime: { startTime: value } } }),
    },
    {
      where: 'the event ingest filter',
      value: 'yesterday',
      overrides: (value: string) => ({ additionalFields: { eventList: { filter: { toIngestTimestamp: value } } } }),
    },
  ])('refuses the non-RFC 3339 date-time $value in $where as BAD_USER_INPUT and writes nothing', async (example) => {
    const { value, overrides } = example;
    const before = await jobCount();
    api.resetQueries();
    const response = await api.graphql(CREATE_EXPORT_JOB, { input: jobInput(datasetId, overrides(value)) });
    const writes = api.queries.filter(isWrite);
    expect(response.data ?? null).toBeNull();
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors![0]!.message).toContain(value);
    expect(writes).toEqual([]);
    expect(await jobCount()).toBe(before);
  });

  it.each(['', '   '])('refuses the dataset name %j at name and writes nothing', async (name) => {
    const countDatasets = async () => (await api.graphql(COUNT_DATASETS)).data!.datasets.totalCount as number;
    const before = await countDatasets();
    api.resetQueries();
    const response = await api.graphql(CREATE_DATASET, { input: { name, schemaRef: PROFILE_SCHEMA_REF } });
    const writes = api.queries.filter(isWrite);
    expect(response.data).toBeNull();
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]).toMatchObject({
      path: ['createDataset'],
      extensions: { code: 'BAD_USER_INPUT', field: 'name' },
    });
    expect(writes).toEqual([]);
    expect(await countDatasets()).toBe(before);
  });
});
