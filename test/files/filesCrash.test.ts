/**
 * A crash during the dataset write, with the server as users start it (a
 * process of its own, killed with SIGKILL once the first batch's files are
 * on disk): no file is listed before its job has succeeded, the rerun writes
 * the same bytes again, and nothing temporary is left beside the files.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FaultPoint } from '../../src/faultPoint';
import { CREATE_DATASET, PROFILE_SCHEMA_REF } from '../fixtures/operations';
import { startService, stopService, type ServiceProcess } from '../helpers/processes';
import { processStorages } from '../helpers/processStorage';
import { waitUntil } from '../helpers/waitUntil';

const HEADERS = { 'x-gw-ims-org-id': 'ORG_FILE_CRASH@AdobeOrg', 'x-sandbox-name': 'prod' };
// A short lease: the job of the killed process is taken over within seconds.
const QUICK = { RUNNER_LEASE_MS: '2000', RUNNER_POLL_MS: '50' };

async function post(url: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...HEADERS },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

const JOB = /* GraphQL */ `
  query ($id: ID!) {
    exportJob(id: $id) { status destination { batchId } }
  }
`;
const FILES = /* GraphQL */ `
  query ($id: ID!) { batch(id: $id) { files { name sha256 bytes downloadUrl } } }
`;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('a crash during the dataset write', { timeout: 120_000 }, () => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const start = async (env: Record<string, string>): Promise<ServiceProcess> => {
    const service = await startService('serve', { ...QUICK, ...env });
    cleanups.push(() => stopService(service, 'SIGKILL'));
    return service;
  };

  it.each(processStorages(cleanups))('lists no file until the rerun has written the same bytes, on %s', async (_name, storage) => {
    const filesDir = mkdtempSync(join(tmpdir(), 'gw-files-dir-'));
    cleanups.push(() => rmSync(filesDir, { recursive: true, force: true }));
    const env = { ...(await storage()), FILES_DIR: filesDir };

    const crashing = await start({ ...env, GW_FAULT_POINT: FaultPoint.AFTER_BATCH_FILES_WRITTEN });
    const profiles = Array.from({ length: 5 }, (_, i) => ({
      profileId: `p${i}`,
      identities: [{ namespace: 'email', id: `p${i}@example.com` }],
      attributes: { n: i },
      updatedAt: '2026-10-01T00:00:00Z',
    }));
    const ingested = await post(crashing.url, 'mutation ($p: [ProfileInput!]!) { ingestProfiles(profiles: $p) { upserted } }', { p: profiles });
    expect(ingested.errors).toBeUndefined();
    const datasetId = (await post(crashing.url, CREATE_DATASET, { input: { name: 'crash', schemaRef: PROFILE_SCHEMA_REF } }))
      .data.createDataset.id;
    const created = await post(crashing.url, 'mutation ($input: CreateExportJobInput!) { createExportJob(input: $input) { id } }', {
      input: {
        destination: { datasetId },
        schema: { name: '_xdm.context.profile' },
        output: { format: 'JSONL', compression: 'GZIP', maxRecordsPerFile: 2 },
      },
    });
    const jobId = created.data.createExportJob.id as string;
    await waitUntil(() => crashing.child.signalCode === 'SIGKILL', 30_000);

    // The files the killed run wrote are on disk under their final names, and listed nowhere.
    const restarted = await start(env);
    const before = await post(restarted.url, JOB, { id: jobId });
    const batchId = before.data.exportJob.destination.batchId as string;
    const directory = join(filesDir, jobId, encodeURIComponent(batchId));
    const crashed = await readdir(directory);
    expect(crashed).toEqual(expect.arrayContaining(['part-00000.jsonl.gz', 'part-00001.jsonl.gz', 'part-00002.jsonl.gz']));
    expect(crashed).not.toContain('manifest.json');
    const firstRun = await Promise.all(['part-00000.jsonl.gz', 'part-00001.jsonl.gz', 'part-00002.jsonl.gz'].map(
      async (name) => sha256(await readFile(join(directory, name))),
    ));

    // The rerun, once the lease has run out: the same files, listed now, and nothing else beside them.
    await waitUntil(async () => (await post(restarted.url, JOB, { id: jobId })).data.exportJob.status === 'SUCCEEDED', 30_000);
    const listed = (await post(restarted.url, FILES, { id: batchId })).data.batch.files;
    expect(listed.map((file: any) => file.name)).toEqual(['part-00000.jsonl.gz', 'part-00001.jsonl.gz', 'part-00002.jsonl.gz']);
    expect(listed.map((file: any) => file.sha256)).toEqual(firstRun);
    expect((await readdir(directory)).sort()).toEqual(['manifest.json', 'part-00000.jsonl.gz', 'part-00001.jsonl.gz', 'part-00002.jsonl.gz']);
    const downloaded = Buffer.from(await (await fetch(listed[0].downloadUrl)).arrayBuffer());
    expect(sha256(downloaded)).toBe(firstRun[0]);
  });
});
