import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANCEL_EXPORT_JOB, LIST_EXPORT_JOB_IDS } from '../fixtures/operations';
import { storageTargets } from '../helpers/databases';
import { expectBadInput, selectsFrom } from '../helpers/expectations';
import { createDataset, createJob } from '../helpers/seedApi';
import { startTestServer, type TestServer } from '../helpers/testServer';

const LIST_WITH_TOTAL = /* GraphQL */ `
  query ListWithTotal($first: Int, $after: String, $last: Int, $before: String, $status: [ExportJobStatus!]) {
    exportJobs(first: $first, after: $after, last: $last, before: $before, status: $status) {
      edges { cursor node { id status creationTime } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      totalCount
    }
  }
`;

const LIST_WITH_DATASET = /* GraphQL */ `
  query ListWithDataset($first: Int) {
    exportJobs(first: $first) { edges { node { id destination { datasetId } dataset { id name } } } }
  }
`;

const DATASET_CURSOR = /* GraphQL */ `
  query DatasetCursor { datasets(first: 1) { pageInfo { endCursor } } }
`;

interface Page {
  edges: { cursor: string; node: { id: string; status: string; creationTime?: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount?: number;
}

interface Tenant {
  headers: Record<string, string>;
  datasetId: string;
  /** Ids of the seeded jobs, newest first. */
  ids: string[];
}

let tenantCount = 0;

const idsOf = (page: Page) => page.edges.map((edge) => edge.node.id);
const isJobSelect = selectsFrom('export_jobs');
const isDatasetSelect = selectsFrom('datasets');


describe.each(storageTargets)('exportJobs on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target);
  });
  afterAll(() => api?.close());

  /** A fresh organisation with one dataset and `jobs` jobs created one after another. */
  async function seedTenant(jobs: number, sandboxName = 'prod'): Promise<Tenant> {
    tenantCount += 1;
    const headers = { 'x-gw-ims-org-id': `ORG_LIST_${tenantCount}@AdobeOrg`, 'x-sandbox-name': sandboxName };
    const datasetId = await createDataset(api, headers);
    const ids: string[] = [];
    for (let i = 0; i < jobs; i += 1) ids.push((await createJob(api, datasetId, headers)).id as string);
    return { headers, datasetId, ids: ids.reverse() };
  }

  async function page(tenant: Tenant, variables: Record<string, unknown>, query = LIST_WITH_TOTAL): Promise<Page> {
    const response = await api.graphql(query, variables, tenant.headers);
    expect(response.errors).toBeUndefined();
    return response.data!.exportJobs as Page;
  }

  /** Follows `endCursor` (forward) or `startCursor` (backward) until the last page, calling `between` in between. */
  async function walk(
    tenant: Tenant,
    direction: 'forward' | 'backward',
    variables: Record<string, unknown>,
    between: () => Promise<void> = async () => {},
  ): Promise<Page[]> {
    const pages: Page[] = [];
    let cursor: string | null = null;
    do {
      const cursorArg: Record<string, unknown> =
        cursor === null ? {} : direction === 'forward' ? { after: cursor } : { before: cursor };
      const current = await page(tenant, { ...variables, ...cursorArg }, LIST_EXPORT_JOB_IDS);
      pages.push(current);
      const { hasNextPage, hasPreviousPage, startCursor, endCursor } = current.pageInfo;
      cursor = direction === 'forward' ? (hasNextPage ? endCursor : null) : hasPreviousPage ? startCursor : null;
      if (cursor !== null) await between();
    } while (cursor !== null && pages.length < 50);
    return pages;
  }

  it('lists only the tenant’s jobs, newest first, 20 per page by default, with the total count', async () => {
    const tenant = await seedTenant(25);
    await seedTenant(3);
    const first = await page(tenant, {});
    expect(idsOf(first)).toEqual(tenant.ids.slice(0, 20));
    const times = first.edges.map((edge) => Date.parse(edge.node.creationTime!));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(first.pageInfo.startCursor).toBe(first.edges[0]?.cursor);
    expect(first.pageInfo.endCursor).toBe(first.edges.at(-1)?.cursor);
    expect(first.totalCount).toBe(25);
  });

  it('reads the 20 jobs just newer than the cursor for before without a size', async () => {
    const tenant = await seedTenant(26);
    const oldest = await page(tenant, { last: 5 });
    expect(idsOf(oldest)).toEqual(tenant.ids.slice(21));
    const newer = await page(tenant, { before: oldest.pageInfo.startCursor });
    expect(idsOf(newer)).toEqual(tenant.ids.slice(1, 21));
    expect(newer.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
  });

  it('gives no edges for first: 0 and accepts page sizes up to 100', async () => {
    const tenant = await seedTenant(25);
    const empty = await page(tenant, { first: 0 });
    expect(empty.edges).toEqual([]);
    expect(empty.pageInfo).toMatchObject({ startCursor: null, endCursor: null, hasPreviousPage: false });
    expect(empty.totalCount).toBe(25);
    const all = await page(tenant, { first: 100 });
    expect(idsOf(all)).toEqual(tenant.ids);
    expect(all.pageInfo.hasNextPage).toBe(false);
    const lastAll = await page(tenant, { last: 100 });
    expect(idsOf(lastAll)).toEqual(tenant.ids);
    expect(lastAll.pageInfo.hasPreviousPage).toBe(false);
  });

  it('visits every job exactly once, in order, when walking forward with first and after', async () => {
    const tenant = await seedTenant(25);
    const pages = await walk(tenant, 'forward', { first: 7 });
    expect(pages.map((p) => p.edges.length)).toEqual([7, 7, 7, 4]);
    expect(pages.flatMap(idsOf)).toEqual(tenant.ids);
    expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([true, true, true, false]);
    expect(pages.map((p) => p.pageInfo.hasPreviousPage)).toEqual([false, true, true, true]);
  });

  it('visits every job exactly once when walking backward with last and before, each page newest first', async () => {
    const tenant = await seedTenant(25);
    const pages = await walk(tenant, 'backward', { last: 7 });
    expect(pages.map((p) => p.edges.length)).toEqual([7, 7, 7, 4]);
    expect(idsOf(pages[0]!)).toEqual(tenant.ids.slice(-7));
    for (const current of pages) {
      const ids = idsOf(current).map(Number);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
    }
    expect([...pages].reverse().flatMap(idsOf)).toEqual(tenant.ids);
    expect(pages.map((p) => p.pageInfo.hasPreviousPage)).toEqual([true, true, true, false]);
    expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([false, true, true, true]);
  });

  it('neither skips nor repeats a job while new jobs arrive between pages', async () => {
    const tenant = await seedTenant(25);
    const arrived: string[] = [];
    const pages = await walk(tenant, 'forward', { first: 7 }, async () => {
      for (let i = 0; i < 3; i += 1) arrived.push((await createJob(api, tenant.datasetId, tenant.headers)).id as string);
    });
    expect(pages.flatMap(idsOf)).toEqual(tenant.ids);
    expect(arrived).toHaveLength(9);
    const fresh = await page(tenant, { first: 100 });
    expect(idsOf(fresh)).toEqual([...[...arrived].reverse(), ...tenant.ids]);
    expect(fresh.totalCount).toBe(34);
  });

  it('keeps only jobs in the given statuses, across pages and in the total count', async () => {
    const tenant = await seedTenant(25);
    const cancelled = tenant.ids.filter((_id, index) => index % 3 === 1);
    for (const id of cancelled) {
      const response = await api.graphql(CANCEL_EXPORT_JOB, { id }, tenant.headers);
      expect(response.data!.cancelExportJob.job).toMatchObject({ id, status: 'CANCELLED' });
    }
    const pages = await walk(tenant, 'forward', { first: 3, status: ['CANCELLED'] });
    expect(pages.flatMap(idsOf)).toEqual(cancelled);
    expect(pages.flatMap((p) => p.edges.map((edge) => edge.node.status))).toEqual(cancelled.map(() => 'CANCELLED'));
    const backward = await walk(tenant, 'backward', { last: 3, status: ['CANCELLED'] });
    expect(backward.reverse().flatMap(idsOf)).toEqual(cancelled);

    const second = await page(tenant, { first: 3, after: pages[0]!.pageInfo.endCursor, status: ['CANCELLED'] });
    expect(second.totalCount).toBe(cancelled.length);
    const fresh = await page(tenant, { first: 100, status: ['NEW'] });
    expect(idsOf(fresh)).toEqual(tenant.ids.filter((id) => !cancelled.includes(id)));
    expect(fresh.totalCount).toBe(25 - cancelled.length);
    expect((await page(tenant, { first: 1, status: ['NEW', 'CANCELLED'] })).totalCount).toBe(25);
    expect((await page(tenant, { status: ['SUCCEEDED'] })).totalCount).toBe(0);
  });

  it('reads a page in one SQL statement, and counts the total in exactly one more', async () => {
    const tenant = await seedTenant(25);
    const first = await page(tenant, { first: 7 }, LIST_EXPORT_JOB_IDS);
    for (const variables of [{ first: 7 }, { first: 7, after: first.pageInfo.endCursor }, { last: 7 }]) {
      api.resetQueries();
      await page(tenant, variables, LIST_EXPORT_JOB_IDS);
      expect(api.queries.filter(isJobSelect)).toHaveLength(1);
      expect(api.queries).toHaveLength(1);
      api.resetQueries();
      await page(tenant, variables, LIST_WITH_TOTAL);
      expect(api.queries.filter(isJobSelect)).toHaveLength(2);
      expect(api.queries).toHaveLength(2);
    }
  });

  it('loads the datasets of a 50-job page in one query', async () => {
    const tenant = await seedTenant(0);
    const otherDataset = await createDataset(api, tenant.headers, 'Second export');
    for (let i = 0; i < 50; i += 1) {
      await createJob(api, i % 2 === 0 ? tenant.datasetId : otherDataset, tenant.headers);
    }
    api.resetQueries();
    const response = await api.graphql(LIST_WITH_DATASET, { first: 50 }, tenant.headers);
    expect(response.errors).toBeUndefined();
    const edges = response.data!.exportJobs.edges as { node: Record<string, any> }[];
    expect(edges).toHaveLength(50);
    for (const { node } of edges) {
      expect(node.dataset).toEqual({
        id: node.destination.datasetId,
        name: node.destination.datasetId === otherDataset ? 'Second export' : 'Profile export',
      });
    }
    expect(api.queries.filter(isDatasetSelect)).toHaveLength(1);
    expect(api.queries.filter(isJobSelect)).toHaveLength(1);
  });

  it('refuses page sizes out of range, and first together with last, naming the argument', async () => {
    const tenant = await seedTenant(1);
    const cases: [Record<string, unknown>, string][] = [
      [{ first: -1 }, 'first'],
      [{ first: 101 }, 'first'],
      [{ last: -1 }, 'last'],
      [{ last: 101 }, 'last'],
      [{ first: 5, last: 5 }, 'last'],
    ];
    for (const [variables, field] of cases) {
      expectBadInput(await api.graphql(LIST_EXPORT_JOB_IDS, variables, tenant.headers), field);
    }
  });

  it('refuses malformed cursors, naming after or before', async () => {
    const tenant = await seedTenant(3);
    const garbage = Buffer.from('\u0000garbage:::\u00ff', 'utf8').toString('base64url');
    const notAJob = Buffer.from('v1:job:tag:123', 'utf8').toString('base64url');
    for (const cursor of ['nonsense', garbage, notAJob, '%%%']) {
      expectBadInput(await api.graphql(LIST_EXPORT_JOB_IDS, { after: cursor }, tenant.headers), 'after');
      expectBadInput(await api.graphql(LIST_EXPORT_JOB_IDS, { last: 2, before: cursor }, tenant.headers), 'before');
    }
  });

  it('refuses a job cursor whose id is not a job id instead of failing internally', async () => {
    const tenant = await seedTenant(3);
    const { endCursor } = (await page(tenant, { first: 1 })).pageInfo;
    const parts = Buffer.from(endCursor!, 'base64url').toString('utf8').split(':');
    for (const id of ['abc', '99999999999999999999999']) {
      const forged = Buffer.from([...parts.slice(0, 4), id].join(':'), 'utf8').toString('base64url');
      const response = await api.graphql(LIST_EXPORT_JOB_IDS, { after: forged }, tenant.headers);
      expectBadInput(response, 'after');
    }
  });

  it('refuses a cursor issued to another organisation, another sandbox or another list', async () => {
    const tenant = await seedTenant(3);
    const orgB = await seedTenant(3);
    const devSandbox = { ...tenant, headers: { ...tenant.headers, 'x-sandbox-name': 'dev' } };
    const devDataset = await createDataset(api, devSandbox.headers);
    await createJob(api, devDataset, devSandbox.headers);
    const foreign = [
      (await page(orgB, { first: 1 })).pageInfo.endCursor,
      (await page(devSandbox, { first: 1 })).pageInfo.endCursor,
    ];
    for (const cursor of foreign) {
      expect(cursor).toEqual(expect.any(String));
      expectBadInput(await api.graphql(LIST_EXPORT_JOB_IDS, { after: cursor }, tenant.headers), 'after');
    }
    const datasets = await api.graphql(DATASET_CURSOR, {}, tenant.headers);
    const datasetCursor = datasets.data!.datasets.pageInfo.endCursor as string;
    expectBadInput(await api.graphql(LIST_EXPORT_JOB_IDS, { after: datasetCursor }, tenant.headers), 'after');
    expectBadInput(await api.graphql(LIST_EXPORT_JOB_IDS, { last: 1, before: datasetCursor }, tenant.headers), 'before');
  });

  it('reads a page through the export_jobs_tenant_page_idx index', async () => {
    const tenant = await seedTenant(25);
    const first = await page(tenant, { first: 7 });
    api.resetQueries();
    await page(tenant, { first: 7, after: first.pageInfo.endCursor }, LIST_EXPORT_JOB_IDS);
    const [pageQuery] = api.queries.filter(isJobSelect);
    expect(pageQuery).toBeDefined();
    const position = first.edges.at(-1)!.node;
    const plan = await api.database.db.transaction(async (tx) => {
      // With a handful of rows a sequential scan is cheapest; forbid it to see whether the index serves the query.
      await tx.execute(sql.raw('set local enable_seqscan = off'));
      await tx.execute(sql.raw(`prepare page_plan as ${pageQuery}`));
      const args = [tenant.headers['x-gw-ims-org-id']!, 'prod', position.creationTime!, position.id, '8'];
      // EXPLAIN takes no bind parameters: the arguments go in as literals.
      const literals = args.map((value) => `'${value.replace(/'/g, "''")}'`).join(', ');
      const rows = await tx.execute(sql.raw(`explain execute page_plan(${literals})`));
      await tx.execute(sql.raw('deallocate page_plan'));
      // postgres.js answers with the rows, PGlite with a result holding them.
      const planRows = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as { 'QUERY PLAN': string }[];
      return planRows.map((row) => row['QUERY PLAN']).join('\n');
    });
    // Seeks with the row comparison as an index condition, in index order: no filter over the tenant, no sort.
    expect(plan).toMatch(/Index Scan Backward using export_jobs_tenant_page_idx/);
    expect(plan).toMatch(/Index Cond: .*ROW\(creation_time, id\) < ROW\(/);
    expect(plan).not.toMatch(/\bSort\b/);
  });
});
