/**
 * The S3 file store against a real S3-compatible server (s3rver on loopback):
 * multipart uploads, an abort in flight, removal by pages, and the checks that
 * stop a start with a bucket it cannot use.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFileStore } from '../../src/files/createFileStore';
import type { FilesOptions } from '../../src/files/filesOptions';
import { MIN_PART_SIZE, type S3FileStore } from '../../src/files/s3FileStore';
import { filesBelow, s3ServerForTests, type TestS3Server } from '../helpers/s3Server';

const s3Server = s3ServerForTests();
let s3: TestS3Server;
beforeAll(() => void (s3 = s3Server()));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const keysUnder = (bucket: string, prefix: string) => s3.keysUnder(bucket, prefix);

describe('the S3 file store', () => {
  const bucket = 'gw-store';
  let stagingDir: string;
  let store: S3FileStore;
  const options = (s3Options: Partial<NonNullable<FilesOptions['s3']>> = {}): FilesOptions => ({
    dir: stagingDir,
    signingKey: undefined,
    keyFile: null,
    publicUrl: undefined,
    s3: { bucket, endpoint: s3.endpoint, prefix: 'store', ...s3Options },
  });

  beforeAll(async () => {
    await s3.createBucket(bucket);
    stagingDir = await mkdtemp(join(tmpdir(), 'gw-s3-store-'));
    const created = await createFileStore(options(), { partSize: MIN_PART_SIZE, pageSize: 2 });
    if (created.kind !== 's3') throw new Error('FILES_S3_BUCKET set, yet the store is not S3');
    store = created;
  });
  afterAll(async () => {
    if (stagingDir) await rm(stagingDir, { recursive: true, force: true });
  });

  /** Stores files of these names (their name as their bytes) as one batch. */
  const storeFiles = (jobId: number, batchId: string, names: string[]) =>
    store.storeBatch(jobId, batchId, async (directory) => {
      await mkdir(directory, { recursive: true });
      for (const name of names) await writeFile(join(directory, name), name);
      return names.map((name) => ({ name, contentType: 'text/plain' }));
    }, new AbortController().signal);

  it('uploads a file larger than one part in parts, as the same bytes, and leaves nothing staged', async () => {
    // 11 MiB: two parts of 5 MiB and a last one of 1 MiB.
    const bytes = randomBytes(11 * 1024 * 1024);
    const before = s3.requests.length;
    await store.storeBatch(7, 'big', async (directory) => {
      await mkdir(directory, { recursive: true });
      await writeFile(join(directory, 'part-00000.parquet'), bytes);
      return [{ name: 'part-00000.parquet', contentType: 'application/vnd.apache.parquet' }];
    }, new AbortController().signal);

    const sent = s3.requests.slice(before);
    expect(sent.filter((request) => request.method === 'POST' && request.url.includes('?uploads'))).toHaveLength(1);
    expect(sent.filter((request) => request.method === 'PUT' && /[?&]partNumber=\d/.test(request.url))).toHaveLength(3);
    const stored = await fetch(await store.downloadUrl({ storageKey: '7/big/part-00000.parquet', name: 'part-00000.parquet', format: 'PARQUET', compression: 'SNAPPY' }, 60));
    expect(stored.headers.get('content-type')).toBe('application/vnd.apache.parquet');
    expect(sha256(Buffer.from(await stored.arrayBuffer()))).toBe(sha256(bytes));
    expect(await filesBelow(stagingDir)).toEqual([]);
  });

  it('ends a multipart upload in flight once aborted: no object, the upload aborted, nothing staged', async () => {
    const held = s3.hold((req) => req.method === 'PUT' && (req.url ?? '').includes('partNumber=2'));
    const controller = new AbortController();
    const before = s3.requests.length;
    try {
      const storing = store.storeBatch(8, 'aborted', async (directory) => {
        await mkdir(directory, { recursive: true });
        await writeFile(join(directory, 'part-00000.parquet'), randomBytes(11 * 1024 * 1024));
        return [{ name: 'part-00000.parquet', contentType: 'application/vnd.apache.parquet' }];
      }, controller.signal);
      await held.arrived;
      controller.abort('cancelled');
      await expect(storing).rejects.toBe('cancelled');
      expect(held.abandoned()).toBe(true);
      // AbortMultipartUpload, sent once no part is in flight (s3rver answers it 405: it keeps no parts to free).
      expect(s3.requests.slice(before).some((request) => request.method === 'DELETE' && request.url.includes('uploadId='))).toBe(true);
      await expect(s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'store/8/aborted/part-00000.parquet' }))).rejects.toThrow();
      expect(await filesBelow(stagingDir)).toEqual([]);
    } finally {
      held.release();
    }
  });

  it("removes one batch's objects, then one job's, page by page, and nothing of another job", async () => {
    await storeFiles(3, 'one', ['a', 'b', 'c']);
    await storeFiles(3, 'two', ['a', 'b', 'c']);
    // Job 30's keys start with "3": only the slash after a job id keeps them apart.
    await storeFiles(30, 'one', ['a']);
    const before = s3.requests.length;
    await store.removeBatch(3, 'one');
    expect(await keysUnder(bucket, 'store/3/')).toEqual(['store/3/two/a', 'store/3/two/b', 'store/3/two/c']);
    // Pages of two keys: three objects take two DeleteObjects.
    expect(s3.requests.slice(before).filter((request) => request.method === 'POST' && request.url.includes('?delete'))).toHaveLength(2);
    await store.removeJob(3);
    expect(await keysUnder(bucket, 'store/3/')).toEqual([]);
    expect(await keysUnder(bucket, 'store/30/')).toEqual(['store/30/one/a']);
  });

  it('refuses to start with a bucket that does not exist, naming it', async () => {
    await expect(createFileStore(options({ bucket: 'no-such-bucket' }))).rejects.toThrow(
      `FILES_S3_BUCKET "no-such-bucket" at ${s3.endpoint} cannot be used: it does not exist`,
    );
  });

  it('takes us-east-1 for an S3-compatible endpoint when no region is set', async () => {
    vi.stubEnv('AWS_REGION', undefined);
    try {
      const created = await createFileStore(options());
      expect(created.kind).toBe('s3');
      const url = await (created as S3FileStore).downloadUrl({ storageKey: 'k', name: 'k', format: 'JSONL', compression: 'NONE' }, 60);
      expect(new URL(url).searchParams.get('X-Amz-Credential')).toMatch(/\/us-east-1\/s3\/aws4_request$/);
    } finally {
      vi.stubEnv('AWS_REGION', 'eu-west-1');
    }
  });
});
