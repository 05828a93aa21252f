/**
 * The README's tutorial, run as written (bash and curl) against a real server
 * with its runner on, over a seeded store: the front door must not lie.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedProfiles } from '../src/profiles/seedProfiles';
import { supportTableMarkdown } from '../src/segments/pql/supportedPql';
import { storageTargets } from './helpers/databases';
import { startExport } from './helpers/exportFlow';
import { waitUntil } from './helpers/waitUntil';
import { startTestServer, type TestServer } from './helpers/testServer';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const TUTORIAL_ORG = '1BD6382559DF0C130A49422D@AdobeOrg';

/** The ```sh blocks of the README between two headings. */
function shellBlocks(from: string, to: string): string[] {
  const section = README.slice(README.indexOf(from), README.indexOf(to));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

function tutorialScript(): string {
  return ['set -euo pipefail', ...shellBlocks('### The tutorial flow', '### Errors')].join('\n');
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
    // Step 6 downloads a file into the working directory: one of its own.
    const downloads = mkdtempSync(join(tmpdir(), 'readme-tutorial-'));
    let stdout: string;
    try {
      ({ stdout } = await promisify(execFile)('bash', ['-c', script], { timeout: 80_000, cwd: downloads }));
      expect(readdirSync(downloads)).toEqual(['part-00000.jsonl.gz']);
    } finally {
      rmSync(downloads, { recursive: true, force: true });
    }
    const [datasetId, jobId, ...answers] = stdout.replace(/\}\{/g, '}\n{').trim().split('\n');
    expect(datasetId).toMatch(/^[0-9a-f]{24}$/);
    expect(jobId).toMatch(/^\d+$/);
    const [job, list, cancel, cancelled, ...downloaded] = answers.map((line) => JSON.parse(line));
    // Step 6: the first records of the downloaded file, as the export projected them.
    expect(downloaded).toHaveLength(2);
    for (const record of downloaded) {
      expect(Object.keys(record).sort()).toEqual(['personalEmail', 'profileId']);
      expect(record.personalEmail.address).toMatch(/@/);
    }
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
  }, 90_000);
});

describe('the README example of verified callers', () => {
  it('makes a key set and a token that a server with AUTH_JWKS_FILE accepts, and refuses a call without it', async () => {
    const [makeKeys, startServer, calls] = shellBlocks('## Authentication and limits', '## Loading profiles');
    expect(startServer).toContain('npm start');
    // jose resolves from the project's directory; the files go to a directory of their own.
    const dir = mkdtempSync(join(tmpdir(), 'readme-auth-'));
    const project = new URL('..', import.meta.url).pathname;
    try {
      const script = makeKeys!.replace("writeFileSync('jwks.json'", `writeFileSync('${dir}/jwks.json'`).replace("writeFileSync('token.txt'", `writeFileSync('${dir}/token.txt'`);
      await promisify(execFile)('bash', ['-c', script], { cwd: project, timeout: 30_000 });
      const api = await startTestServer(storageTargets[0]!, {}, {
        mode: 'jwt',
        jwksFile: join(dir, 'jwks.json'),
        issuer: 'https://idp.example/',
        audience: 'export-jobs-gateway',
      });
      try {
        const curl = calls!.replaceAll('http://localhost:4000/graphql', api.server.url).replace('$(cat token.txt)', `$(cat ${dir}/token.txt)`);
        const { stdout } = await promisify(execFile)('bash', ['-c', `set -euo pipefail\n${curl}`], { timeout: 20_000 });
        // The first answer ends without a newline: the second, a status code, follows it on its line.
        const output = stdout.trim();
        const [limits, refused] = [output.slice(0, -3), output.slice(-3)];
        expect(JSON.parse(limits!)).toEqual({
          data: {
            exportLimits: {
              jobsPerDay: { max: 1000, used: 0, remaining: 1000 },
              queuedJobs: { max: 100, used: 0, remaining: 100 },
              requestsPerSecond: 300,
            },
          },
        });
        expect(refused).toBe('401');
      } finally {
        await api.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the README webhook receiver', () => {
  it('verifies and prints the events a server with a runner sends it', async () => {
    const section = README.slice(README.indexOf('### Webhooks'), README.indexOf('## Who calls it'));
    const receiverCode = /\*\*A receiver\*\*[\s\S]*?```js\n([\s\S]*?)```/.exec(section)?.[1];
    expect(receiverCode).toContain('webhook.verify(body, req.headers)');
    // standardwebhooks resolves from the project's directory: the file goes under its test-results/.
    const dir = fileURLToPath(new URL('../test-results/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    const port = await freePort();
    const file = join(dir, `receiver-${process.pid}.mjs`);
    writeFileSync(file, receiverCode!.replace('.listen(8080)', `.listen(${port}, '127.0.0.1')`));
    const api = await startTestServer(storageTargets[0]!, { concurrency: 1 }, {}, {}, { webhooks: { allowPrivate: true } });
    let receiver: ChildProcess | undefined;
    try {
      const created = await api.graphql(
        'mutation ($url: String!) { createWebhook(input: { url: $url }) { secret } }',
        { url: `http://127.0.0.1:${port}/` },
      );
      receiver = spawn(process.execPath, [file], { env: { ...process.env, WEBHOOK_SECRET: created.data!.createWebhook.secret } });
      let printed = '';
      receiver.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
      const { jobId } = await startExport(api, {});
      await waitUntil(() => printed.includes(`export_job.status_changed ${jobId} SUCCEEDED`), 20_000);
      expect(printed.split('\n')[0]).toBe(`export_job.created ${jobId} NEW`);
    } finally {
      receiver?.kill();
      await api.close();
      rmSync(file, { force: true });
    }
  });
});

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the README’s supported-PQL table', () => {
  it('is the table the evaluator keeps (SUPPORTED_PQL), row for row', () => {
    expect(README).toContain(supportTableMarkdown());
  });
});
