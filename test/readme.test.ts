/**
 * The README's tutorial, run as written (bash and curl) against a real server:
 * the front door must not lie.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from './helpers/databases';
import { startTestServer, type TestServer } from './helpers/testServer';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function tutorialScript(): string {
  const section = README.slice(README.indexOf('### The tutorial flow'), README.indexOf('### Errors'));
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
  return ['set -euo pipefail', ...blocks].join('\n');
}

describe.each(storageTargets)('the README tutorial on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target);
  });
  afterAll(() => api?.close());

  it('creates a dataset and a job, reads, lists and cancels it as the README shows', async () => {
    const script = tutorialScript().replace('http://localhost:4000/graphql', api.server.url);
    const { stdout } = await promisify(execFile)('bash', ['-c', script], { timeout: 20_000 });
    const [datasetId, jobId, ...answers] = stdout.replace(/\}\{/g, '}\n{').trim().split('\n');
    expect(datasetId).toMatch(/^[0-9a-f]{24}$/);
    expect(jobId).toMatch(/^\d+$/);
    const [job, list, cancel] = answers.map((line) => JSON.parse(line));
    expect(job.data.exportJob).toMatchObject({ id: jobId, status: 'NEW', dataset: { name: 'Segment export' } });
    expect(list.data.exportJobs.edges.map((edge: any) => edge.node.id)).toContain(jobId);
    expect(cancel.data.cancelExportJob).toEqual({
      status: true,
      message: 'Export job has been marked for cancelling',
      job: { status: 'CANCELLED' },
    });
  });
});
