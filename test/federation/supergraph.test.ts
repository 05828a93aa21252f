import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCampaignsSubgraph, CAMPAIGNS_SDL, type CampaignsSubgraph } from '../helpers/campaignsSubgraph';
import { storageTargets } from '../helpers/databases';
import { selectsFrom } from '../helpers/expectations';
import { createJob, startServerWithDataset } from '../helpers/seedApi';
import { composeSupergraph, startSupergraphGateway, type SupergraphGateway } from '../helpers/supergraphGateway';
import { TENANT, type TestServer } from '../helpers/testServer';

const CAMPAIGNS_WITH_JOBS = /* GraphQL */ `
  {
    campaigns {
      name
      exportJob { id status progress { percent } dataset { name } campaign { id } }
    }
  }
`;
const JOB_WITH_CAMPAIGN = /* GraphQL */ `
  query ($id: ID!) {
    exportJob(id: $id) { id status campaign { name } }
  }
`;

/** `npm run schema:print -- FILE`, as a user runs it, and the SDL it wrote. */
async function printSubgraphSdl(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'subgraph-'));
  try {
    const file = join(directory, 'export-jobs.graphql');
    await promisify(execFile)('npm', ['run', '--silent', 'schema:print', '--', file]);
    return await readFile(file, 'utf8');
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

describe.each(storageTargets)('a supergraph with the export-jobs subgraph on $name', (target) => {
  let api: TestServer;
  let campaigns: CampaignsSubgraph;
  let gateway: SupergraphGateway;
  let jobs: Record<string, any>[];
  let supergraphSdl: string;

  async function querySupergraph(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = TENANT) {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
  }

  beforeAll(async () => {
    let datasetId: string;
    ({ api, datasetId } = await startServerWithDataset(target));
    jobs = [await createJob(api, datasetId), await createJob(api, datasetId), await createJob(api, datasetId)];
    campaigns = await startCampaignsSubgraph(
      jobs.map((job, index) => ({ id: `c${index + 1}`, name: `Campaign ${index + 1}`, exportJobId: job.id })),
    );
    supergraphSdl = composeSupergraph([
      { name: 'export-jobs', url: api.server.url, sdl: await printSubgraphSdl() },
      { name: 'campaigns', url: campaigns.url, sdl: CAMPAIGNS_SDL },
    ]);
    gateway = await startSupergraphGateway(supergraphSdl);
  }, 60_000);
  afterAll(async () => {
    await gateway?.close();
    await campaigns?.close();
    await api?.close();
  });

  it('keeps the subgraph’s @cost and @listSize in the supergraph, where a router’s demand control reads them', () => {
    expect(supergraphSdl).toMatch(/@link\(url: "https:\/\/specs\.apollo\.dev\/cost\/v0\.1"/);
    const fieldLine = (name: string) => supergraphSdl.split('\n').find((line) => line.trimStart().startsWith(`${name}(`)) ?? '';
    expect(fieldLine('previewSegment')).toContain('@cost(weight: 100)');
    expect(fieldLine('createExportJob')).toContain('@cost(weight: 20)');
    expect(fieldLine('exportJobs')).toContain('@listSize(slicingArguments: ["first", "last"], sizedFields: ["edges"], assumedSize: 20, requireOneSlicingArgument: false)');
    expect(fieldLine('exportJobs')).toContain('@cost(weight: 2)');
  });

  it('answers a query that starts in campaigns and crosses into export jobs and back', async () => {
    api.resetQueries();
    const response = await querySupergraph(CAMPAIGNS_WITH_JOBS);
    expect(response.errors).toBeUndefined();
    expect(response.data!.campaigns).toEqual(
      jobs.map((job, index) => ({
        name: `Campaign ${index + 1}`,
        exportJob: {
          id: job.id,
          status: 'NEW',
          progress: { percent: 0 },
          dataset: { name: 'Profile export' },
          campaign: { id: `c${index + 1}` },
        },
      })),
    );
    // Three job references reached the subgraph as one _entities call: one statement.
    expect(api.queries.filter(selectsFrom('export_jobs'))).toHaveLength(1);
  });

  it('answers a query that starts in export jobs and adds a campaigns field', async () => {
    const response = await querySupergraph(JOB_WITH_CAMPAIGN, { id: jobs[1]!.id });
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ exportJob: { id: jobs[1]!.id, status: 'NEW', campaign: { name: 'Campaign 2' } } });
  });

  it('forwards the caller’s tenant: another organisation sees none of these jobs', async () => {
    const response = await querySupergraph(CAMPAIGNS_WITH_JOBS, {}, { 'x-gw-ims-org-id': 'ORG_B@AdobeOrg' });
    expect(response.errors).toBeUndefined();
    expect(response.data!.campaigns.map((campaign: { exportJob: unknown }) => campaign.exportJob)).toEqual([
      null,
      null,
      null,
    ]);
  });
});
