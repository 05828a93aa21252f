import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_DATASET, GET_EXPORT_JOB, LIST_EXPORT_JOB_IDS, PROFILE_SCHEMA_REF } from '../fixtures/operations';
import { storageTargets } from '../helpers/databases';
import { expectBadInput, selectsFrom } from '../helpers/expectations';
import { createDataset, createJob } from '../helpers/seedApi';
import { startTestServer, type TestServer } from '../helpers/testServer';

const DATASET_FIELDS = 'id name schemaRef { id contentType } createdAt';

const GET_DATASET = /* GraphQL */ `
  query GetDataset($id: ID!) { dataset(id: $id) { ${DATASET_FIELDS} } }
`;

const GET_TWO_DATASETS = /* GraphQL */ `
  query GetTwoDatasets($a: ID!, $b: ID!) {
    a: dataset(id: $a) { id name }
    b: dataset(id: $b) { id name }
    again: dataset(id: $a) { id }
  }
`;

const LIST_DATASETS = /* GraphQL */ `
  query ListDatasets($first: Int, $after: String) {
    datasets(first: $first, after: $after) {
      edges { cursor node { ${DATASET_FIELDS} } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      totalCount
    }
  }
`;

interface DatasetPage {
  edges: { cursor: string; node: { id: string; name: string; createdAt: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number;
}

let orgCount = 0;

const isDatasetSelect = selectsFrom('datasets');


describe.each(storageTargets)('datasets on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target);
  });
  afterAll(() => api?.close());

  function freshOrg(sandboxName = 'prod'): Record<string, string> {
    orgCount += 1;
    return { 'x-gw-ims-org-id': `ORG_DATASETS_${orgCount}@AdobeOrg`, 'x-sandbox-name': sandboxName };
  }

  /** Creates `count` datasets a few milliseconds apart (so each is strictly newer); returns their ids newest first. */
  async function seedDatasets(headers: Record<string, string>, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) {
      ids.push(await createDataset(api, headers, `Dataset ${i}`));
      await sleep(3);
    }
    return ids.reverse();
  }

  async function listPage(headers: Record<string, string>, variables: Record<string, unknown>): Promise<DatasetPage> {
    const response = await api.graphql(LIST_DATASETS, variables, headers);
    expect(response.errors).toBeUndefined();
    return response.data!.datasets as DatasetPage;
  }

  it('creates a dataset with a platform-shaped id and reads it back by id', async () => {
    const headers = freshOrg();
    const before = Date.now();
    const created = await api.graphql(
      CREATE_DATASET,
      { input: { name: '  Nightly profiles  ', schemaRef: PROFILE_SCHEMA_REF } },
      headers,
    );
    expect(created.errors).toBeUndefined();
    const dataset = created.data!.createDataset;
    expect(dataset).toMatchObject({ name: 'Nightly profiles', schemaRef: PROFILE_SCHEMA_REF });
    expect(dataset.id).toMatch(/^[0-9a-f]{24}$/);
    expect(Date.parse(dataset.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    const read = await api.graphql(GET_DATASET, { id: dataset.id }, headers);
    expect(read.errors).toBeUndefined();
    expect(read.data).toEqual({ dataset });
  });

  it('refuses a dataset with an empty name or schema reference, naming the field', async () => {
    const headers = freshOrg();
    const cases: [Record<string, unknown>, string][] = [
      [{ name: '   ', schemaRef: PROFILE_SCHEMA_REF }, 'name'],
      [{ name: 'x', schemaRef: { ...PROFILE_SCHEMA_REF, id: ' ' } }, 'schemaRef.id'],
      [{ name: 'x', schemaRef: { ...PROFILE_SCHEMA_REF, contentType: '' } }, 'schemaRef.contentType'],
    ];
    for (const [input, field] of cases) {
      expectBadInput(await api.graphql(CREATE_DATASET, { input }, headers), field);
    }
    expect((await listPage(headers, {})).totalCount).toBe(0);
  });

  it('answers null for a dataset id that does not exist', async () => {
    const headers = freshOrg();
    for (const id of ['000000000000000000000000', 'nonsense', '']) {
      const response = await api.graphql(GET_DATASET, { id }, headers);
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ dataset: null });
    }
  });

  it('lists the tenant’s datasets newest first, 20 per page by default, with the total count', async () => {
    const headers = freshOrg();
    const ids = await seedDatasets(headers, 23);
    const first = await listPage(headers, {});
    expect(first.edges.map((edge) => edge.node.id)).toEqual(ids.slice(0, 20));
    const times = first.edges.map((edge) => Date.parse(edge.node.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(first.pageInfo.startCursor).toBe(first.edges[0]?.cursor);
    expect(first.pageInfo.endCursor).toBe(first.edges.at(-1)?.cursor);
    expect(first.totalCount).toBe(23);
    expect((await listPage(headers, { first: 0 })).edges).toEqual([]);
  });

  it('visits every dataset exactly once when walking pages with first and after', async () => {
    const headers = freshOrg();
    const ids = await seedDatasets(headers, 8);
    const pages: DatasetPage[] = [];
    let after: string | null = null;
    do {
      const current: DatasetPage = await listPage(headers, { first: 3, after });
      pages.push(current);
      after = current.pageInfo.hasNextPage ? current.pageInfo.endCursor : null;
      if (after !== null) await createDataset(api, headers, 'Arrived while paging');
    } while (after !== null && pages.length < 10);
    expect(pages.map((p) => p.edges.map((edge) => edge.node.id))).toEqual([ids.slice(0, 3), ids.slice(3, 6), ids.slice(6)]);
    expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([true, true, false]);
    expect(pages.map((p) => p.pageInfo.hasPreviousPage)).toEqual([false, true, true]);
    expect(pages.map((p) => p.totalCount)).toEqual([8, 9, 10]);
  });

  it('refuses page sizes out of range and cursors of another list or tenant', async () => {
    const headers = freshOrg();
    const datasetIds = await seedDatasets(headers, 2);
    expectBadInput(await api.graphql(LIST_DATASETS, { first: -1 }, headers), 'first');
    expectBadInput(await api.graphql(LIST_DATASETS, { first: 101 }, headers), 'first');
    expectBadInput(await api.graphql(LIST_DATASETS, { after: 'nonsense' }, headers), 'after');

    await createJob(api, datasetIds[0]!, headers);
    const jobs = await api.graphql(LIST_EXPORT_JOB_IDS, { first: 1 }, headers);
    const jobCursor = jobs.data!.exportJobs.pageInfo.endCursor as string;
    expectBadInput(await api.graphql(LIST_DATASETS, { after: jobCursor }, headers), 'after');

    const otherOrg = freshOrg();
    await seedDatasets(otherOrg, 1);
    const foreignCursor = (await listPage(otherOrg, {})).pageInfo.endCursor;
    expectBadInput(await api.graphql(LIST_DATASETS, { after: foreignCursor }, headers), 'after');
  });

  it('hides another organisation’s or sandbox’s datasets from dataset and datasets', async () => {
    const headers = freshOrg();
    const mine = await seedDatasets(headers, 2);
    const otherOrg = freshOrg();
    const devSandbox = { ...headers, 'x-sandbox-name': 'dev' };
    const theirs = [await createDataset(api, otherOrg), await createDataset(api, devSandbox)];
    for (const id of theirs) {
      const response = await api.graphql(GET_DATASET, { id }, headers);
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ dataset: null });
    }
    const list = await listPage(headers, { first: 100 });
    expect(list.edges.map((edge) => edge.node.id)).toEqual(mine);
    expect(list.totalCount).toBe(2);
    const devList = await listPage(devSandbox, { first: 100 });
    expect(devList.edges.map((edge) => edge.node.id)).toEqual([theirs[1]]);
    expect(devList.totalCount).toBe(1);
    const mineFromElsewhere = await api.graphql(GET_DATASET, { id: mine[0] }, otherOrg);
    expect(mineFromElsewhere.data).toEqual({ dataset: null });
  });

  it('resolves a job’s dataset and every dataset lookup of a request in one query', async () => {
    const headers = freshOrg();
    const [newer, older] = await seedDatasets(headers, 2);
    const job = await createJob(api, older!, headers);
    const created = await api.graphql(GET_DATASET, { id: older }, headers);

    api.resetQueries();
    const read = await api.graphql(GET_EXPORT_JOB, { id: job.id }, headers);
    expect(read.errors).toBeUndefined();
    expect(read.data!.exportJob.dataset).toEqual(created.data!.dataset);
    expect(api.queries.filter(isDatasetSelect)).toHaveLength(1);

    api.resetQueries();
    const both = await api.graphql(GET_TWO_DATASETS, { a: newer, b: older }, headers);
    expect(both.errors).toBeUndefined();
    expect(both.data).toEqual({
      a: { id: newer, name: 'Dataset 1' },
      b: { id: older, name: 'Dataset 0' },
      again: { id: newer },
    });
    expect(api.queries.filter(isDatasetSelect)).toHaveLength(1);
    expect(api.queries).toHaveLength(1);
  });
});
