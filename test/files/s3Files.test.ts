/**
 * Result files in an S3 bucket (FILES_S3_BUCKET), through the real server: each
 * batch's files staged on disk, uploaded, and downloaded through presigned S3
 * URLs without any header; cancelled and crashed runs — against a real
 * S3-compatible server, s3rver, on loopback (test/helpers/s3Server.ts says
 * what it does not check). The store's own rules: s3FileStore.test.ts.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { signDownloadPath } from '../../src/files/downloadSignature';
import { FaultPoint } from '../../src/faultPoint';
import { CANCEL_EXPORT_JOB, CREATE_DATASET, PROFILE_SCHEMA_REF } from '../fixtures/operations';
import { storageTargets, type StorageTarget } from '../helpers/databases';
import { ingest, recordsOf, startExport, waitForJob, type ProfileSpec } from '../helpers/exportFlow';
import { startService, stopService, type ServiceProcess } from '../helpers/processes';
import { processStorages } from '../helpers/processStorage';
import { filesBelow, s3ServerForTests, type TestS3Server } from '../helpers/s3Server';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { waitUntil } from '../helpers/waitUntil';

const PREFIX = 'exports/test';
const SIGNING_KEY = 'a-signing-key-of-at-least-32-characters';

const BATCH_FILES = /* GraphQL */ `
  query BatchFiles($id: ID!, $expires: Int) {
    batch(id: $id) {
      id manifest
      files { id name records bytes sha256 downloadUrl(expiresInSeconds: $expires) }
    }
  }
`;

const PROFILES: ProfileSpec[] = Array.from({ length: 5 }, (_, i) => ({
  profileId: `p${i}`,
  identities: [{ namespace: 'email', id: `zoë${i}@example.com` }],
  attributes: { n: i, tags: ['a', 'b,c'], note: i % 2 ? '' : 'line one\nline two' },
}));

const s3Server = s3ServerForTests();
let s3: TestS3Server;
beforeAll(() => void (s3 = s3Server()));
let tenants = 0;
const freshTenant = () => ({ 'x-gw-ims-org-id': `ORG_S3_${++tenants}@AdobeOrg` });
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const keysUnder = (bucket: string, prefix: string) => s3.keysUnder(bucket, prefix);

/** The real server with FILES_S3_* set, as `startTestServer` starts it otherwise. */
/** The test server, with its files in the bucket (through the same variables an operator sets). */
function startServerOnS3(target: StorageTarget, env: Record<string, string>): Promise<TestServer> {
  const files = { ...loadConfig(env).files, signingKey: SIGNING_KEY, keyFile: null };
  return startTestServer(target, { concurrency: 1, chunkSize: 2 }, {}, {}, { files });
}

describe.each(storageTargets)('result files in S3 on $name', (target) => {
  const bucket = `gw-results-${target.name}`;
  let stagingDir: string;
  let api: TestServer;

  beforeAll(async () => {
    await s3.createBucket(bucket);
    stagingDir = await mkdtemp(join(tmpdir(), 'gw-s3-staging-'));
    api = await startServerOnS3(target, {
      FILES_DIR: stagingDir,
      FILES_S3_BUCKET: bucket,
      FILES_S3_ENDPOINT: s3.endpoint,
      FILES_S3_PREFIX: `${PREFIX}/`,
    });
  });
  afterAll(async () => {
    await api?.close();
    if (stagingDir) await rm(stagingDir, { recursive: true, force: true });
  });

  async function exportWith(output: Record<string, unknown>) {
    const headers = freshTenant();
    await ingest(api, PROFILES, headers);
    const { jobId } = await startExport(api, { output }, headers);
    const job = await waitForJob(api, jobId, undefined, headers);
    expect(job.status).toBe('SUCCEEDED');
    const batchId = job.destination.batchId as string;
    const response = await api.graphql(BATCH_FILES, { id: batchId }, headers);
    expect(response.errors).toBeUndefined();
    return { jobId, batchId, headers, batch: response.data!.batch, records: await recordsOf(api, batchId) };
  }

  it('uploads every file and the manifest under the prefix, and downloadUrl is a presigned S3 link that needs no header', async () => {
    const { jobId, batchId, batch, records } = await exportWith({ maxRecordsPerFile: 2 });
    const names = ['part-00000.jsonl.gz', 'part-00001.jsonl.gz', 'part-00002.jsonl.gz'];
    expect(batch.files.map((file: any) => file.name)).toEqual(names);
    const batchPrefix = `${PREFIX}/${jobId}/${batchId}/`;
    expect(await keysUnder(bucket, batchPrefix)).toEqual([...names, 'manifest.json'].map((name) => batchPrefix + name).sort());

    const lines: unknown[] = [];
    for (const file of batch.files) {
      const url = new URL(file.downloadUrl);
      expect(url.origin).toBe(s3.endpoint);
      expect(url.pathname).toBe(`/${bucket}/${batchPrefix}${file.name}`);
      expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/gzip');
      expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${file.name}"`);
      expect(response.headers.get('content-encoding')).toBeNull();
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = Buffer.from(await response.arrayBuffer());
      expect(body.length).toBe(file.bytes);
      expect(sha256(body)).toBe(file.sha256);
      lines.push(...gunzipSync(body).toString('utf8').trimEnd().split('\n').map((line) => JSON.parse(line)));
    }
    expect(lines).toEqual(records);
    expect(lines).toHaveLength(PROFILES.length);

    const manifest = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: `${batchPrefix}manifest.json` }));
    expect(manifest.ContentType).toBe('application/json');
    expect(manifest.CacheControl).toBe('no-store');
    expect(JSON.parse(await manifest.Body!.transformToString())).toEqual(batch.manifest);
    // Staged, uploaded, removed: nothing stays on local disk.
    expect(await filesBelow(stagingDir)).toEqual([]);
  });

  it('serves a CSV under its own content type', async () => {
    const { batch } = await exportWith({ format: 'CSV', compression: 'NONE' });
    const response = await fetch(batch.files[0].downloadUrl);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(sha256(Buffer.from(await response.arrayBuffer()))).toBe(batch.files[0].sha256);
  });

  // s3rver 3 does not verify SigV4 signatures (test/helpers/s3Server.ts): these are the changes it does refuse.
  it('refuses a presigned link whose access key was changed, or whose time is up', async () => {
    const { batchId, headers, batch } = await exportWith({ compression: 'NONE' });
    const url = new URL(batch.files[0].downloadUrl);
    const otherKey = new URL(url);
    otherKey.searchParams.set('X-Amz-Credential', url.searchParams.get('X-Amz-Credential')!.replace(/^[^/]+/, 'AKIAOTHERKEY'));
    expect((await fetch(otherKey)).status).toBe(403);
    const backdated = new URL(url);
    backdated.searchParams.set('X-Amz-Date', '20200101T000000Z');
    expect((await fetch(backdated)).status).toBe(403);

    const expiring = await api.graphql(BATCH_FILES, { id: batchId, expires: 1 }, headers);
    expect(new URL(expiring.data!.batch.files[0].downloadUrl).searchParams.get('X-Amz-Expires')).toBe('1');
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect((await fetch(expiring.data!.batch.files[0].downloadUrl)).status).toBe(403);
  });

  it('redirects a link signed by this server (GET /files/…) to a presigned URL of the object, for GET and HEAD', async () => {
    const { batch } = await exportWith({});
    const [file] = batch.files;
    const link = new URL(api.server.url).origin + signDownloadPath(Buffer.from(SIGNING_KEY), file.id, Math.floor(Date.now() / 1000) + 600, file.name);
    const redirect = await fetch(link, { redirect: 'manual' });
    expect(redirect.status).toBe(307);
    const location = new URL(redirect.headers.get('location')!);
    expect(location.origin).toBe(s3.endpoint);
    expect(Number(location.searchParams.get('X-Amz-Expires'))).toBeGreaterThan(590);
    expect(Number(location.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(600);
    const followed = await fetch(link);
    expect(sha256(Buffer.from(await followed.arrayBuffer()))).toBe(file.sha256);
    const head = await fetch(link, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(file.bytes));
  });

  it('ends the upload in flight when the export is cancelled, and removes what was uploaded', async () => {
    const headers = freshTenant();
    await ingest(api, PROFILES, headers);
    const held = s3.hold((req) => req.method === 'PUT' && (req.url ?? '').includes('/part-00001.jsonl.gz'));
    try {
      const { jobId } = await startExport(api, { output: { maxRecordsPerFile: 2 } }, headers);
      await held.arrived;
      const job = await waitForJob(api, jobId, ['PROCESSING'], headers);
      const batchPrefix = `${PREFIX}/${jobId}/${job.destination.batchId}/`;
      expect(await keysUnder(bucket, batchPrefix)).toEqual([`${batchPrefix}part-00000.jsonl.gz`]);

      const cancel = await api.graphql(CANCEL_EXPORT_JOB, { id: jobId }, headers);
      expect(cancel.errors).toBeUndefined();
      expect((await waitForJob(api, jobId, undefined, headers)).status).toBe('CANCELLED');
      // The held PUT was given up by its client, not left to finish after the removal.
      expect(held.abandoned()).toBe(true);
      // The job shows CANCELLED as its files are being removed (runExportJob's end): they go soon after.
      await waitUntil(async () => (await keysUnder(bucket, `${PREFIX}/${jobId}/`)).length === 0, 10_000);
      expect(await filesBelow(stagingDir)).toEqual([]);
    } finally {
      held.release();
    }
  });
});

describe('a crash during the dataset write, with S3 storage', { timeout: 120_000 }, () => {
  const bucket = 'gw-crash';
  const headers = { 'x-gw-ims-org-id': 'ORG_S3_CRASH@AdobeOrg', 'x-sandbox-name': 'prod' };
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  beforeAll(() => s3.createBucket(bucket));
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const start = async (env: Record<string, string>): Promise<ServiceProcess> => {
    const service = await startService('serve', { RUNNER_LEASE_MS: '2000', RUNNER_POLL_MS: '50', ...env });
    cleanups.push(() => stopService(service, 'SIGKILL'));
    return service;
  };
  const post = async (url: string, query: string, variables: Record<string, unknown> = {}): Promise<any> =>
    (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) })).json();

  // On PostgreSQL only: what a crash leaves in the bucket is the store's doing, not the database's; the
  // same crash with local files runs on both (filesCrash.test.ts), and PGlite's restarts cost ~20 s of CI.
  it.each(processStorages(cleanups).filter(([name]) => name === 'postgres'))('shows no object until the rerun has uploaded the same bytes, on %s', async (name, storage) => {
    const stagingDir = await mkdtemp(join(tmpdir(), 'gw-s3-crash-'));
    cleanups.push(() => rm(stagingDir, { recursive: true, force: true }));
    // AWS_* come from this process's environment (stubbed above), as a deployment's would.
    const env = { ...(await storage()), FILES_DIR: stagingDir, FILES_S3_BUCKET: bucket, FILES_S3_ENDPOINT: s3.endpoint, FILES_S3_PREFIX: name };

    const crashing = await start({ ...env, GW_FAULT_POINT: FaultPoint.AFTER_BATCH_FILES_WRITTEN });
    const ingested = await post(crashing.url, 'mutation ($p: [ProfileInput!]!) { ingestProfiles(profiles: $p) { upserted } }', {
      p: PROFILES.map((profile) => ({ ...profile, updatedAt: '2026-10-01T00:00:00Z' })),
    });
    expect(ingested.errors).toBeUndefined();
    const datasetId = (await post(crashing.url, CREATE_DATASET, { input: { name: 'crash', schemaRef: PROFILE_SCHEMA_REF } })).data.createDataset.id;
    const created = await post(crashing.url, 'mutation ($input: CreateExportJobInput!) { createExportJob(input: $input) { id } }', {
      input: { destination: { datasetId }, schema: { name: '_xdm.context.profile' }, output: { maxRecordsPerFile: 2 } },
    });
    const jobId = created.data.createExportJob.id as string;
    await waitUntil(() => crashing.child.signalCode === 'SIGKILL', 30_000);

    // Killed with the batch's files staged and none uploaded: the bucket shows nothing of the job.
    expect(await filesBelow(stagingDir)).toEqual(expect.arrayContaining(['part-00000.jsonl.gz', 'part-00002.jsonl.gz']));
    expect(await keysUnder(bucket, `${name}/${jobId}/`)).toEqual([]);

    const restarted = await start(env);
    const job = /* GraphQL */ 'query ($id: ID!) { exportJob(id: $id) { status destination { batchId } } }';
    await waitUntil(async () => (await post(restarted.url, job, { id: jobId })).data.exportJob.status === 'SUCCEEDED', 30_000);
    const batchId = (await post(restarted.url, job, { id: jobId })).data.exportJob.destination.batchId as string;
    const listed = (await post(restarted.url, BATCH_FILES, { id: batchId })).data.batch.files;
    expect(listed.map((file: any) => file.name)).toEqual(['part-00000.jsonl.gz', 'part-00001.jsonl.gz', 'part-00002.jsonl.gz']);
    for (const file of listed) expect(sha256(Buffer.from(await (await fetch(file.downloadUrl)).arrayBuffer()))).toBe(file.sha256);
    expect(await keysUnder(bucket, `${name}/${jobId}/`)).toHaveLength(4);
    expect(await filesBelow(stagingDir)).toEqual([]);
  });
});
