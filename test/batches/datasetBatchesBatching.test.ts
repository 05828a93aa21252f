import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { selectsFrom } from '../helpers/expectations';
import { createDataset, createJob } from '../helpers/seedApi';
import { insertBatch } from '../helpers/seedBatches';
import { startTestServer, type TestServer } from '../helpers/testServer';

const PAGE_FIELDS = /* GraphQL */ `
  edges { cursor node { id datasetId createdAt } }
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
`;

/**
 * The tenant's datasets, each with a page of its batches. Page sizes are literals:
 * the cost rule counts a variable page size as the largest a list allows.
 */
function datasetsWithBatchesQuery(batchesFirst: number | undefined, totalCount = true): string {
  const first = batchesFirst === undefined ? '' : `first: ${batchesFirst}, `;
  return /* GraphQL */ `
    query DatasetsWithBatches($after: String) {
      datasets(first: 20) {
        edges { node { id batches(${first}after: $after) { ${PAGE_FIELDS} ${totalCount ? 'totalCount' : ''} } } }
      }
    }
  `;
}

const DATASET_BATCHES = /* GraphQL */ `
  query DatasetBatches($id: ID!, $first: Int, $after: String) {
    dataset(id: $id) { batches(first: $first, after: $after) { ${PAGE_FIELDS} totalCount } }
  }
`;

// Two connections of different page requests in one query: each is its own batch.
const DATASETS_WITH_TWO_PAGES = /* GraphQL */ `
  query DatasetsWithTwoPages {
    datasets(first: 20) {
      edges { node { id newest: batches(first: 1) { ${PAGE_FIELDS} } some: batches(first: 3) { ${PAGE_FIELDS} totalCount } } }
    }
  }
`;

interface BatchPage {
  edges: { cursor: string; node: { id: string; datasetId: string; createdAt: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount?: number;
}

interface DatasetWithBatches {
  id: string;
  batches: BatchPage;
}

let orgCount = 0;

describe.each(storageTargets)('batches of a list of datasets on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target);
  });
  afterAll(() => api?.close());

  function freshOrg(): Record<string, string> {
    orgCount += 1;
    return { 'x-gw-ims-org-id': `ORG_BATCHING_${orgCount}@AdobeOrg`, 'x-sandbox-name': 'prod' };
  }

  /**
   * `datasets` datasets of a fresh tenant, the i-th with i % 5 batches (some none,
   * some several at the same time, so that the id breaks ties); returns their ids
   * and the ids of each one's batches, newest first.
   */
  async function seedTenant(
    datasets: number,
    headers = freshOrg(),
  ): Promise<{ headers: Record<string, string>; ids: string[]; newestFirst: Map<string, string[]> }> {
    const ids: string[] = [];
    const newestFirst = new Map<string, string[]>();
    const base = Date.parse('2026-11-23T10:00:00Z');
    for (let i = 0; i < datasets; i += 1) {
      const datasetId = await createDataset(api, headers, `Dataset ${i}`);
      ids.push(datasetId);
      const jobId = Number((await createJob(api, datasetId, headers)).id);
      const rows = [];
      for (let b = 0; b < i % 5; b += 1) {
        rows.push(await insertBatch(api, { datasetId, headers, jobId, createdAt: new Date(base + Math.floor(b / 2) * 1000) }));
      }
      rows.sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime() || (x.id < y.id ? 1 : -1));
      newestFirst.set(datasetId, rows.map((row) => row.id));
    }
    return { headers, ids, newestFirst };
  }

  async function datasetsWithBatches(
    headers: Record<string, string>,
    batchesFirst: number | undefined,
    after?: string,
    totalCount = true,
  ): Promise<DatasetWithBatches[]> {
    const response = await api.graphql(datasetsWithBatchesQuery(batchesFirst, totalCount), { after }, headers);
    expect(response.errors).toBeUndefined();
    return (response.data!.datasets.edges as { node: DatasetWithBatches }[]).map((edge) => edge.node);
  }

  async function oneDatasetBatches(headers: Record<string, string>, variables: Record<string, unknown>): Promise<BatchPage> {
    const response = await api.graphql(DATASET_BATCHES, variables, headers);
    expect(response.errors).toBeUndefined();
    return response.data!.dataset.batches as BatchPage;
  }

  /** The statements one request sends. */
  async function statementsOf(send: () => Promise<unknown>): Promise<string[]> {
    api.resetQueries();
    await send();
    return [...api.queries];
  }

  it('reads the batches of every dataset of a page in one statement, and their counts in one more, however many datasets', async () => {
    const small = await seedTenant(3);
    const large = await seedTenant(12);
    const counts = [];
    for (const tenant of [small, large]) {
      const pageOnly = await statementsOf(() => datasetsWithBatches(tenant.headers, 2, undefined, false));
      const withTotals = await statementsOf(() => datasetsWithBatches(tenant.headers, 2));
      expect(pageOnly.filter(selectsFrom('batches'))).toHaveLength(1);
      expect(pageOnly.filter((query) => /\bcount\(/i.test(query))).toEqual([]);
      expect(withTotals.filter(selectsFrom('batches'))).toHaveLength(2);
      expect(withTotals.filter((query) => /\bcount\(/i.test(query) && /group by/i.test(query))).toHaveLength(1);
      counts.push([pageOnly.length, withTotals.length]);
    }
    // One for the datasets, one for all their batches, one for all their counts.
    expect(counts).toEqual([
      [2, 3],
      [2, 3],
    ]);
  });

  it('gives every dataset the page, cursors, page info and count that asking for that dataset alone gives', async () => {
    const tenant = await seedTenant(12);
    for (const batchesFirst of [undefined, 0, 1, 2, 4]) {
      const nested = await datasetsWithBatches(tenant.headers, batchesFirst);
      expect(nested.map((dataset) => dataset.id).sort()).toEqual([...tenant.ids].sort());
      for (const dataset of nested) {
        expect(dataset.batches).toEqual(await oneDatasetBatches(tenant.headers, { id: dataset.id, first: batchesFirst }));
        const seeded = tenant.newestFirst.get(dataset.id)!;
        const size = batchesFirst ?? 20;
        expect(dataset.batches.edges.map((edge) => edge.node.id)).toEqual(seeded.slice(0, size));
        expect(dataset.batches.pageInfo).toMatchObject({ hasNextPage: seeded.length > size, hasPreviousPage: false });
        expect(dataset.batches.totalCount).toBe(seeded.length);
        for (const edge of dataset.batches.edges) expect(edge.node.datasetId).toBe(dataset.id);
      }
    }
  });

  it('resumes every dataset’s page after a cursor exactly as asking for that dataset alone does', async () => {
    const tenant = await seedTenant(10);
    const datasetId = tenant.ids[4]!;
    const whole = await oneDatasetBatches(tenant.headers, { id: datasetId, first: 100 });
    expect(whole.edges).toHaveLength(4);
    // The cursors of one dataset's batches are positions (time, id), valid in any dataset of the tenant.
    for (const { cursor: after } of whole.edges) {
      const nested = await datasetsWithBatches(tenant.headers, 2, after);
      expect(nested).toHaveLength(10);
      for (const dataset of nested) {
        expect(dataset.batches).toEqual(await oneDatasetBatches(tenant.headers, { id: dataset.id, first: 2, after }));
      }
      const own = nested.find((dataset) => dataset.id === datasetId)!;
      const rest = whole.edges.slice(whole.edges.findIndex((edge) => edge.cursor === after) + 1);
      expect(own.batches.edges.map((edge) => edge.node.id)).toEqual(rest.slice(0, 2).map((edge) => edge.node.id));
      expect(own.batches.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: rest.length > 2 });
    }
  });

  it('serves connections with different arguments in one query, one statement for each', async () => {
    const tenant = await seedTenant(6);
    api.resetQueries();
    const response = await api.graphql(DATASETS_WITH_TWO_PAGES, {}, tenant.headers);
    expect(response.errors).toBeUndefined();
    // The datasets, two pages of batches, one count.
    expect(api.queries).toHaveLength(4);
    expect(api.queries.filter(selectsFrom('batches'))).toHaveLength(3);
    const nodes = (response.data!.datasets.edges as { node: Record<string, any> }[]).map((edge) => edge.node);
    expect(nodes).toHaveLength(6);
    for (const node of nodes) {
      expect(node.some).toEqual(await oneDatasetBatches(tenant.headers, { id: node.id, first: 3 }));
      const { totalCount: _, ...newest } = await oneDatasetBatches(tenant.headers, { id: node.id, first: 1 });
      expect(node.newest).toEqual(newest);
    }
  });

  it('never shows or counts another organisation’s or sandbox’s batches, even in a dataset of the same id', async () => {
    const tenant = await seedTenant(4);
    const other = await seedTenant(4);
    const sandbox = { ...tenant.headers, 'x-sandbox-name': 'dev' };
    const otherJob = Number((await createJob(api, other.ids[0]!, other.headers)).id);
    const sandboxDataset = await createDataset(api, sandbox);
    const sandboxJob = Number((await createJob(api, sandboxDataset, sandbox)).id);
    // Rows that claim the tenant's datasets: a batch belongs to the tenant its own columns name.
    for (const datasetId of tenant.ids) {
      await insertBatch(api, { datasetId, headers: other.headers, jobId: otherJob });
      await insertBatch(api, { datasetId, headers: sandbox, jobId: sandboxJob });
    }
    const own = new Set<string>();
    for (const datasetId of tenant.ids) {
      for (const edge of (await oneDatasetBatches(tenant.headers, { id: datasetId, first: 100 })).edges) own.add(edge.node.id);
    }
    expect(own.size).toBe(0 + 1 + 2 + 3);

    const nested = await datasetsWithBatches(tenant.headers, 10);
    expect(nested.flatMap((dataset) => dataset.batches.edges.map((edge) => edge.node.id)).sort()).toEqual([...own].sort());
    expect(nested.map((dataset) => dataset.batches.totalCount).sort()).toEqual([0, 1, 2, 3]);
    const theirs = await datasetsWithBatches(other.headers, 10);
    expect(theirs.flatMap((dataset) => dataset.batches.edges.map((edge) => edge.node.id)).some((id) => own.has(id))).toBe(false);
    expect(theirs.map((dataset) => dataset.batches.totalCount).sort()).toEqual([0, 1, 2, 3]);
  });

  it('refuses bad arguments of the nested connection as asking for one dataset does, naming the argument', async () => {
    const tenant = await seedTenant(3);
    const other = await seedTenant(2);
    const theirCursor = (await oneDatasetBatches(other.headers, { id: other.ids[1]!, first: 1 })).pageInfo.endCursor!;
    const cases: [number | undefined, string | undefined, string][] = [
      [-1, undefined, 'first'],
      [101, undefined, 'first'],
      [2, 'nonsense', 'after'],
      [2, theirCursor, 'after'],
    ];
    for (const [first, after, field] of cases) {
      api.resetQueries();
      const response = await api.graphql(datasetsWithBatchesQuery(first), { after }, tenant.headers);
      expect(api.queries.filter(selectsFrom('batches'))).toEqual([]);
      // The field is non-null down to `datasets`: its first error nulls the whole list.
      expect(response.data).toBeNull();
      expect(response.errors).toHaveLength(1);
      expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(response.errors![0]!.path).toEqual(['datasets', 'edges', 0, 'node', 'batches']);
    }
  });
});
