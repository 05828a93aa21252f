import {
  Kind,
  parse,
  print,
  type ConstDirectiveNode,
  type FieldDefinitionNode,
  type TypeNode,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { selectsFrom } from '../helpers/expectations';
import { createDataset, createJob, startServerWithDataset } from '../helpers/seedApi';
import { TENANT, type TestServer } from '../helpers/testServer';

const SERVICE_SDL = '{ _service { sdl } }';
const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      __typename
      ... on ExportJob { id status dataset { id } }
      ... on Dataset { id name }
    }
  }
`;
const ORG_B = { 'x-gw-ims-org-id': 'ORG_B@AdobeOrg' };

describe.each(storageTargets)('the Federation subgraph on $name', (target) => {
  let api: TestServer;
  let datasetId: string;

  beforeAll(async () => ({ api, datasetId } = await startServerWithDataset(target)));
  afterAll(() => api?.close());

  it('serves its SDL with Federation v2.4+ and the two entity keys, even without tenant headers', async () => {
    const response = await api.graphql(SERVICE_SDL, {}, {});
    expect(response.errors).toBeUndefined();
    const sdl = response.data!._service.sdl as string;
    const version = /specs\.apollo\.dev\/federation\/v2\.(\d+)/.exec(sdl);
    expect(Number(version?.[1])).toBeGreaterThanOrEqual(4);
    expect(sdl).toMatch(/type ExportJob\s+@key\(fields: "id"\)/);
    expect(sdl).toMatch(/type Dataset\s+@key\(fields: "id"\)/);
    expect(sdl).toContain('jobStatusChanged');
  });

  it('prices its fields for a router’s demand control: @cost on the costly ones, @listSize on every page of a list', async () => {
    const response = await api.graphql(SERVICE_SDL, {}, {});
    const fields = fieldsOf(response.data!._service.sdl as string);
    expect(response.data!._service.sdl).toMatch(/@link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.(9|\d{2,})", import: \[[^\]]*"@cost"[^\]]*"@listSize"/);

    expect(weightOf(fields, 'Query.previewSegment')).toBe(100);
    expect(weightOf(fields, 'Mutation.createExportJob')).toBe(20);
    expect(weightOf(fields, 'Mutation.ingestProfiles')).toBe(50);
    expect(weightOf(fields, 'ExportJobConnection.totalCount')).toBe(5);
    for (const name of ['Query.exportJobs', 'Query.jobEvents', 'Query.datasets', 'Dataset.batches', 'Batch.records']) {
      expect(weightOf(fields, name), name).toBe(2);
    }
    // What is not costly keeps the router's defaults.
    expect(weightOf(fields, 'Query.exportJob')).toBeUndefined();
    expect(weightOf(fields, 'ExportJob.status')).toBeUndefined();

    expect(directiveOf(fields, 'Query.exportJobs', 'listSize')).toBe(
      '@listSize(slicingArguments: ["first", "last"], sizedFields: ["edges"], assumedSize: 20, requireOneSlicingArgument: false)',
    );
    expect(directiveOf(fields, 'SegmentPreview.sample', 'listSize')).toBe(
      '@listSize(slicingArguments: ["first"], assumedSize: 10, requireOneSlicingArgument: false)',
    );
    // Every page of a list (a connection: the list under its `edges`) is sized by its `first`.
    const connections = [...fields].filter(([, field]) => namedTypeOf(field.type).endsWith('Connection'));
    expect(connections.length).toBeGreaterThanOrEqual(8);
    for (const [name] of connections) {
      expect(directiveOf(fields, name, 'listSize'), name).toMatch(/slicingArguments: \["first".*sizedFields: \["edges"\]/);
    }
    // A page's size arguments are optional (20 by default): a router must not demand exactly one of them.
    for (const [name, field] of fields) {
      const listSize = field.directives?.find((directive) => directive.name.value === 'listSize');
      if (listSize && argumentOf(listSize, 'slicingArguments')) {
        expect(print(argumentOf(listSize, 'requireOneSlicingArgument') ?? { kind: Kind.NULL }), name).toBe('false');
      }
    }
  });

  it('answers introspection without tenant headers too: the schema is no tenant’s data', async () => {
    const response = await api.graphql('{ __schema { queryType { name } } __type(name: "ExportJob") { name } }', {}, {});
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ __schema: { queryType: { name: 'Query' } }, __type: { name: 'ExportJob' } });
  });

  it('does not parse past LIMIT_QUERY_TOKENS a document sent without tenant headers', async () => {
    // Schema-only, but longer than any schema query: before any tenant there is no rate limit either.
    const query = `{ ${'__typename '.repeat(20_000)}}`;
    const response = await api.graphql(query, {}, {});
    expect(response.status).toBe(401);
    expect(response.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('refuses anything beside the schema without tenant headers', async () => {
    const response = await api.graphql('{ _service { sdl } exportJobs { totalCount } }', {}, {});
    expect(response.status).toBe(401);
    expect(response.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');

    const entities = await api.graphql(ENTITIES, { representations: [{ __typename: 'Dataset', id: datasetId }] }, {});
    expect(entities.status).toBe(401);
    expect(entities.data).toBeUndefined();
    expect(entities.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('resolves N representations in order with one statement per entity type', async () => {
    const jobs = await Promise.all([1, 2, 3].map(() => createJob(api, datasetId)));
    const otherDataset = await createDataset(api, TENANT, 'Second');
    const representations = [
      { __typename: 'ExportJob', id: jobs[2]!.id },
      { __typename: 'Dataset', id: otherDataset },
      { __typename: 'ExportJob', id: jobs[0]!.id },
      { __typename: 'ExportJob', id: '999999999' },
      { __typename: 'ExportJob', id: 'not-a-job-id' },
      { __typename: 'ExportJob', id: jobs[1]!.id },
      { __typename: 'Dataset', id: datasetId },
    ];

    api.resetQueries();
    const response = await api.graphql(ENTITIES, { representations });
    expect(response.errors).toBeUndefined();
    expect(response.data!._entities).toEqual([
      { __typename: 'ExportJob', id: jobs[2]!.id, status: 'NEW', dataset: { id: datasetId } },
      { __typename: 'Dataset', id: otherDataset, name: 'Second' },
      { __typename: 'ExportJob', id: jobs[0]!.id, status: 'NEW', dataset: { id: datasetId } },
      null,
      null,
      { __typename: 'ExportJob', id: jobs[1]!.id, status: 'NEW', dataset: { id: datasetId } },
      { __typename: 'Dataset', id: datasetId, name: 'Profile export' },
    ]);
    expect(api.queries.filter(selectsFrom('export_jobs'))).toHaveLength(1);
    // The two referenced datasets and the jobs' dataset fields share one lookup.
    expect(api.queries.filter(selectsFrom('datasets'))).toHaveLength(1);
    expect(api.queries).toHaveLength(2);
  });

  it('resolves only the calling tenant’s entities: another tenant’s are null', async () => {
    const job = await createJob(api, datasetId);
    const response = await api.graphql(
      ENTITIES,
      {
        representations: [
          { __typename: 'ExportJob', id: job.id },
          { __typename: 'Dataset', id: datasetId },
        ],
      },
      ORG_B,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!._entities).toEqual([null, null]);
  });
});

/** Every field definition of an SDL, by `Type.field`. */
function fieldsOf(sdl: string): Map<string, FieldDefinitionNode> {
  const fields = new Map<string, FieldDefinitionNode>();
  for (const definition of parse(sdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const field of definition.fields ?? []) fields.set(`${definition.name.value}.${field.name.value}`, field);
  }
  return fields;
}

function directiveOf(fields: Map<string, FieldDefinitionNode>, name: string, directive: string): string | undefined {
  const field = fields.get(name);
  if (!field) throw new Error(`No field ${name} in the SDL`);
  const node = field.directives?.find((each) => each.name.value === directive);
  return node && print(node);
}

/** The `weight` of a field's `@cost`, undefined without one. */
function weightOf(fields: Map<string, FieldDefinitionNode>, name: string): number | undefined {
  const field = fields.get(name);
  if (!field) throw new Error(`No field ${name} in the SDL`);
  const cost = field.directives?.find((directive) => directive.name.value === 'cost');
  const weight = cost && argumentOf(cost, 'weight');
  return weight?.kind === Kind.INT ? Number(weight.value) : undefined;
}

function argumentOf(directive: ConstDirectiveNode, name: string) {
  return directive.arguments?.find((argument) => argument.name.value === name)?.value;
}

function namedTypeOf(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedTypeOf(type.type);
}
