/**
 * The README's tutorial, run as written (bash and curl) against a real server
 * with its runner on, over a seeded store: the front door must not lie.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedProfiles } from '../src/profiles/seedProfiles';
import { storageTargets } from './helpers/databases';
import { startTestServer, type TestServer } from './helpers/testServer';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const TUTORIAL_ORG = '1BD6382559DF0C130A49422D@AdobeOrg';

function tutorialScript(): string {
  const section = README.slice(README.indexOf('### The tutorial flow'), README.indexOf('### Errors'));
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
  return ['set -euo pipefail', ...blocks].join('\n');
}

describe.each(storageTargets)('the README tutorial on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    // A runner as `npm start` has, with short chunks so that a smaller store (the README
    // seeds 200,000) still runs long enough to be cancelled mid-way.
    api = await startTestServer(target, { concurrency: 4, chunkSize: 200, chunkTargetMs: 5 });
    await seedProfiles(api.database, { orgId: TUTORIAL_ORG, sandboxName: 'prod' }, 30_000);
  }, 120_000);
  afterAll(() => api?.close());

  it('creates a dataset and jobs, reads and lists them, and cancels an export mid-way, as the README shows', async () => {
    const script = tutorialScript().replace('http://localhost:4000/graphql', api.server.url);
    const { stdout } = await promisify(execFile)('bash', ['-c', script], { timeout: 60_000 });
    const [datasetId, jobId, ...answers] = stdout.replace(/\}\{/g, '}\n{').trim().split('\n');
    expect(datasetId).toMatch(/^[0-9a-f]{24}$/);
    expect(jobId).toMatch(/^\d+$/);
    const [job, list, cancel, cancelled] = answers.map((line) => JSON.parse(line));
    expect(job.data.exportJob).toMatchObject({ id: jobId, dataset: { name: 'Segment export' } });
    expect(list.data.exportJobs.edges.map((edge: any) => edge.node.id)).toContain(jobId);
    expect(cancel.data.cancelExportJob).toEqual({
      status: true,
      message: 'Export job has been marked for cancelling',
      job: { status: 'CANCELLING' },
    });
    expect(cancelled.data.exportJob.status).toBe('CANCELLED');
    expect(cancelled.data.exportJob.progress.processedProfiles).toBeLessThan(30_000);
    expect(cancelled.data.exportJob.metrics.totalExportedProfileCounter).toBe(0);
  });
});
