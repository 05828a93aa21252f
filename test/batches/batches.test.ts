import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { selectsFrom } from '../helpers/expectations';
import { createDataset, createJob } from '../helpers/seedApi';
import { insertBatch, insertRecords, profileIds } from '../helpers/seedBatches';
import { startTestServer, type GraphQLResponse, type TestServer } from '../helpers/testServer';

const BATCH_FIELDS = 'id datasetId jobId segmentId segmentNs status recordCount createdAt';

const GET_BATCH = /* GraphQL */ `
  query GetBatch($id: ID!) { batch(id: $id) { ${BATCH_FIELDS} } }
`;

const DATASET_BATCHES = /* GraphQL */ `
  query DatasetBatches($id: ID!, $first: Int, $after: String) {
    dataset(id: $id) {
      batches(first: $first, after: $after) {
        edges { cursor node { ${BATCH_FIELDS} } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        totalCount
      }
    }
  }
`;

const DATASET_BATCH_IDS = /* GraphQL */ `
  query DatasetBatchIds($id: ID!, $first: Int) {
    dataset(id: $id) { batches(first: $first) { edges { node { id } } } }
  }
`;

const BATCH_RECORDS = /* GraphQL */ `
  query BatchRecords($id: ID!, $first: Int, $after: String) {
    batch(id: $id) {
      records(first: $first, after: $after) {
        edges { cursor node }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        totalCount
      }
    }
  }
`;

const DATASET_BATCHES_WITH_RECORDS = /* GraphQL */ `
  query DatasetBatchesWithRecords($id: ID!, $after: String) {
    dataset(id: $id) {
      batches(first: 10) {
        edges {
          node {
            id
            records(first: 2) { edges { node } pageInfo { hasNextPage endCursor } totalCount }
            rest: records(first: 2, after: $after) { edges { node } totalCount }
          }
        }
      }
    }
  }
`;

const BATCH_RECORD_NODES = /* GraphQL */ `
  query BatchRecordNodes($id: ID!, $first: Int) {
    batch(id: $id) { records(first: $first) { edges { node } } }
  }
`;

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

interface BatchPage {
  edges: { cursor: string; node: Record<string, any> }[];
  pageInfo: PageInfo;
  totalCount: number;
}

let orgCount = 0;

/** A refused argument of a nested field: one BAD_USER_INPUT error naming `field`. */
function expectBadArgument(response: GraphQLResponse, field: string): void {
  expect(response.errors).toHaveLength(1);
  expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
}

describe.each(storageTargets)('batches on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target);
  });
  afterAll(() => api?.close());

  function freshOrg(sandboxName = 'prod'): Record<string, string> {
    orgCount += 1;
    return { 'x-gw-ims-org-id': `ORG_BATCHES_${orgCount}@AdobeOrg`, 'x-sandbox-name': sandboxName };
  }

  async function batchesPage(headers: Record<string, string>, variables: Record<string, unknown>): Promise<BatchPage> {
    const response = await api.graphql(DATASET_BATCHES, variables, headers);
    expect(response.errors).toBeUndefined();
    return response.data!.dataset.batches as BatchPage;
  }

  async function recordsPage(headers: Record<string, string>, variables: Record<string, unknown>): Promise<BatchPage> {
    const response = await api.graphql(BATCH_RECORDS, variables, headers);
    expect(response.errors).toBeUndefined();
    return response.data!.batch.records as BatchPage;
  }

  it('reads a batch by id with every field of the contract', async () => {
    const headers = freshOrg();
    const datasetId = await createDataset(api, headers);
    const job = await createJob(api, datasetId, headers);
    const createdAt = new Date('2026-11-23T10:00:00.123Z');
    const whole = await insertBatch(api, { datasetId, headers, jobId: Number(job.id), recordCount: 42, createdAt });
    const perSegment = await insertBatch(api, {
      datasetId,
      headers,
      jobId: Number(job.id),
      segmentId: '52c26d0d-45f2-47a2-ab30-ed06abc981ff',
      segmentNs: 'ups',
      status: 'LOADING',
    });

    const read = await api.graphql(GET_BATCH, { id: whole.id }, headers);
    expect(read.errors).toBeUndefined();
    expect(read.data).toEqual({
      batch: {
        id: whole.id,
        datasetId,
        jobId: job.id,
        segmentId: null,
        segmentNs: null,
        status: 'SUCCESS',
        recordCount: 42,
        createdAt: '2026-11-23T10:00:00.123Z',
      },
    });
    const segment = await api.graphql(GET_BATCH, { id: perSegment.id }, headers);
    expect(segment.data!.batch).toMatchObject({
      segmentId: '52c26d0d-45f2-47a2-ab30-ed06abc981ff',
      segmentNs: 'ups',
      status: 'LOADING',
      recordCount: 0,
    });
  });

  it('answers null for a batch that does not exist or belongs to another organisation or sandbox', async () => {
    const headers = freshOrg();
    const datasetId = await createDataset(api, headers);
    const batch = await insertBatch(api, { datasetId, headers });
    await insertRecords(api, batch.id, profileIds(3));
    const foreign = [freshOrg(), { ...headers, 'x-sandbox-name': 'dev' }];
    for (const asking of foreign) {
      const response = await api.graphql(GET_BATCH, { id: batch.id }, asking);
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ batch: null });
      const records = await api.graphql(BATCH_RECORDS, { id: batch.id }, asking);
      expect(records.errors).toBeUndefined();
      expect(records.data).toEqual({ batch: null });
    }
    for (const id of ['00000000000000000000000000000000', 'nonsense', '']) {
      const response = await api.graphql(GET_BATCH, { id }, headers);
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ batch: null });
    }
  });

  it('lists a dataset’s batches newest first, pages through them with first and after, and counts them', async () => {
    const headers = freshOrg();
    const datasetId = await createDataset(api, headers);
    const otherDataset = await createDataset(api, headers, 'Other');
    const job = await createJob(api, datasetId, headers);
    const base = Date.parse('2026-11-23T10:00:00Z');
    const seeded = [];
    for (let i = 0; i < 5; i += 1) {
      seeded.push(await insertBatch(api, { datasetId, headers, jobId: Number(job.id), createdAt: new Date(base + i * 1000) }));
    }
    // Same time as the newest: the id breaks the tie, and the walk still sees each batch once.
    seeded.push(await insertBatch(api, { datasetId, headers, jobId: Number(job.id), createdAt: new Date(base + 4000) }));
    await insertBatch(api, { datasetId: otherDataset, headers, jobId: Number(job.id) });
    const newestFirst = [...seeded]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
      .map((batch) => batch.id);

    const pages: BatchPage[] = [];
    let after: string | null = null;
    do {
      const current: BatchPage = await batchesPage(headers, { id: datasetId, first: 4, after });
      pages.push(current);
      after = current.pageInfo.hasNextPage ? current.pageInfo.endCursor : null;
    } while (after !== null && pages.length < 5);

    expect(pages.map((page) => page.edges.map((edge) => edge.node.id))).toEqual([
      newestFirst.slice(0, 4),
      newestFirst.slice(4),
    ]);
    expect(pages.map((page) => page.pageInfo.hasPreviousPage)).toEqual([false, true]);
    expect(pages.map((page) => page.totalCount)).toEqual([6, 6]);
    expect(pages[0]!.edges[0]!.node).toMatchObject({ datasetId, jobId: job.id, createdAt: '2026-11-23T10:00:04.000Z' });
    expect((await batchesPage(headers, { id: datasetId })).edges).toHaveLength(6);
    expect((await batchesPage(headers, { id: otherDataset })).totalCount).toBe(1);
  });

  it('visits every record of a batch exactly once when paging with first and after', async () => {
    const headers = freshOrg();
    const datasetId = await createDataset(api, headers);
    const batch = await insertBatch(api, { datasetId, headers });
    const records = await insertRecords(api, batch.id, profileIds(45));
    const other = await insertBatch(api, { datasetId, headers });
    await insertRecords(api, other.id, profileIds(5, 'other'));

    const pages: BatchPage[] = [];
    let after: string | null = null;
    do {
      const current: BatchPage = await recordsPage(headers, { id: batch.id, after });
      pages.push(current);
      after = current.pageInfo.hasNextPage ? current.pageInfo.endCursor : null;
    } while (after !== null && pages.length < 10);

    expect(pages.map((page) => page.edges.length)).toEqual([20, 20, 5]);
    expect(pages.map((page) => page.pageInfo.hasPreviousPage)).toEqual([false, true, true]);
    expect(pages.map((page) => page.totalCount)).toEqual([45, 45, 45]);
    const nodes = pages.flatMap((page) => page.edges.map((edge) => edge.node));
    const byAddress = (a: Record<string, any>, b: Record<string, any>) =>
      a.personalEmail.address < b.personalEmail.address ? -1 : 1;
    expect(nodes.sort(byAddress)).toEqual([...records.values()].sort(byAddress));
  });

  it('gives no records for first: 0 and all of them for first: 100', async () => {
    const headers = freshOrg();
    const datasetId = await createDataset(api, headers);
    const batch = await insertBatch(api, { datasetId, headers });
    await insertRecords(api, batch.id, profileIds(100));
    const empty = await recordsPage(headers, { id: batch.id, first: 0 });
    expect(empty.edges).toEqual([]);
    expect(empty.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null });
    const all = await recordsPage(headers, { id: batch.id, first: 100 });
    expect(all.edges).toHaveLength(100);
    expect(all.pageInfo.hasNextPage).toBe(false);
  });

  it('refuses page sizes out of range and cursors of another list, naming the argument', async () => {
    const headers = freshOrg();
    const datasetId = await createDataset(api, headers);
    const batch = await insertBatch(api, { datasetId, headers });
    await insertBatch(api, { datasetId, headers });
    await insertRecords(api, batch.id, profileIds(3));
    const batchCursor = (await batchesPage(headers, { id: datasetId, first: 1 })).pageInfo.endCursor;
    const recordCursor = (await recordsPage(headers, { id: batch.id, first: 1 })).pageInfo.endCursor;

    for (const first of [-1, 101]) {
      expectBadArgument(await api.graphql(BATCH_RECORDS, { id: batch.id, first }, headers), 'first');
      expectBadArgument(await api.graphql(DATASET_BATCHES, { id: datasetId, first }, headers), 'first');
    }
    for (const after of ['nonsense', batchCursor]) {
      expectBadArgument(await api.graphql(BATCH_RECORDS, { id: batch.id, after }, headers), 'after');
    }
    for (const after of ['nonsense', recordCursor]) {
      expectBadArgument(await api.graphql(DATASET_BATCHES, { id: datasetId, after }, headers), 'after');
    }
  });

  it('refuses a record or batch cursor from another organisation', async () => {
    const headers = freshOrg();
    const datasetId = await createDataset(api, headers);
    const batch = await insertBatch(api, { datasetId, headers });
    await insertRecords(api, batch.id, profileIds(3));

    const otherOrg = freshOrg();
    const theirDataset = await createDataset(api, otherOrg);
    const theirBatch = await insertBatch(api, { datasetId: theirDataset, headers: otherOrg });
    await insertRecords(api, theirBatch.id, profileIds(3));
    const theirRecordCursor = (await recordsPage(otherOrg, { id: theirBatch.id, first: 1 })).pageInfo.endCursor;
    const theirBatchCursor = (await batchesPage(otherOrg, { id: theirDataset, first: 1 })).pageInfo.endCursor;

    const records = await api.graphql(BATCH_RECORDS, { id: batch.id, after: theirRecordCursor }, headers);
    expectBadArgument(records, 'after');
    expect(records.errors![0]!.message).toMatch(/another organisation/);
    const batches = await api.graphql(DATASET_BATCHES, { id: datasetId, after: theirBatchCursor }, headers);
    expectBadArgument(batches, 'after');
    expect(batches.errors![0]!.message).toMatch(/another organisation/);
  });

  it('counts batches and records only when totalCount is selected', async () => {
    const headers = freshOrg();
    const datasetId = await createDataset(api, headers);
    const batch = await insertBatch(api, { datasetId, headers });
    await insertRecords(api, batch.id, profileIds(3));
    const isCount = (query: string) => /\bcount\(/i.test(query);

    api.resetQueries();
    const batches = await api.graphql(DATASET_BATCH_IDS, { id: datasetId }, headers);
    expect(batches.data!.dataset.batches.edges).toHaveLength(1);
    const records = await api.graphql(BATCH_RECORD_NODES, { id: batch.id }, headers);
    expect(records.data!.batch.records.edges).toHaveLength(3);
    expect(api.queries.filter(isCount)).toEqual([]);
    expect(api.queries.filter(selectsFrom('batch_records'))).toHaveLength(1);

    api.resetQueries();
    await recordsPage(headers, { id: batch.id });
    expect(api.queries.filter(isCount)).toHaveLength(1);
  });

  it("reads every batch's page of records with one statement, and their totals with one more", async () => {
    const headers = freshOrg();
    const datasetId = await createDataset(api, headers);
    const sizes = [3, 0, 5, 1];
    const expected = new Map<string, Record<string, unknown>[]>();
    for (const [index, size] of sizes.entries()) {
      const batch = await insertBatch(api, { datasetId, headers });
      const records = await insertRecords(api, batch.id, profileIds(size, `b${index}`));
      const inKeyOrder = [...records].sort(([a], [b]) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1));
      expected.set(batch.id, inKeyOrder.map(([, record]) => record));
    }
    // A cursor of one batch's records after its first: the second page of the `rest` alias.
    const [firstBatchId, firstRecords] = [...expected].find(([, records]) => records.length === 3)!;
    const cursor = (await recordsPage(headers, { id: firstBatchId, first: 1 })).pageInfo.endCursor;

    api.resetQueries();
    const response = await api.graphql(DATASET_BATCHES_WITH_RECORDS, { id: datasetId, after: cursor }, headers);
    expect(response.errors).toBeUndefined();
    const nodes = response.data!.dataset.batches.edges.map((edge: any) => edge.node);
    expect(nodes).toHaveLength(sizes.length);
    for (const node of nodes) {
      const records = expected.get(node.id)!;
      expect(node.records.edges.map((edge: any) => edge.node)).toEqual(records.slice(0, 2));
      expect(node.records.pageInfo.hasNextPage).toBe(records.length > 2);
      expect(node.records.totalCount).toBe(records.length);
      expect(node.rest.totalCount).toBe(records.length);
    }
    // The cursor is a profile id: every batch's `rest` starts after it, its own batch's with the second record.
    expect(nodes.find((node: any) => node.id === firstBatchId).rest.edges.map((edge: any) => edge.node)).toEqual(firstRecords.slice(1, 3));
    // Two page requests (first: 2, and first: 2 after the cursor), each one statement; one count.
    expect(api.queries.filter(selectsFrom('batch_records')).filter((query) => !/\bcount\(/i.test(query))).toHaveLength(2);
    expect(api.queries.filter((query) => /\bcount\(/i.test(query) && /batch_records/.test(query))).toHaveLength(1);
  });
});
