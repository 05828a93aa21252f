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

  it('answers introspection without tenant headers too: the schema is no tenant’s data', async () => {
    const response = await api.graphql('{ __schema { queryType { name } } __type(name: "ExportJob") { name } }', {}, {});
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ __schema: { queryType: { name: 'Query' } }, __type: { name: 'ExportJob' } });
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
