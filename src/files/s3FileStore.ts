/**
 * Result files in an S3 bucket: object `${prefix}/${storageKey}`. A batch's
 * files are written whole on local disk first (a staging directory below
 * FILES_DIR, laid out as the local store lays out its files), then each is
 * uploaded with lib-storage's `Upload` (multipart above one part) and the
 * staging copy removed. S3 makes an object visible only once its upload
 * completes, so a crash leaves no partial object, only an incomplete multipart
 * upload, which S3 never shows (a bucket lifecycle rule,
 * AbortIncompleteMultipartUpload, reclaims its parts). The rerun uploads the
 * same bytes under the same keys.
 */
import { createReadStream } from 'node:fs';
import { rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { attachmentDisposition } from './contentDisposition';
import { batchKeyPrefix, type FileStore } from './fileStore';
import { localFileStore } from './localFileStore';
import { contentTypeOf, type Compression, type ExportFormat } from './outputSpec';

/** S3's smallest part (but the last); lib-storage refuses a smaller `partSize`. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;

export interface S3FileStore extends FileStore {
  readonly kind: 's3';
  /**
   * A presigned URL of a stored file, valid `expiresInSeconds` (at most a week),
   * that needs no header: the object's bytes, served as an attachment under the
   * file's name with its content type. With temporary credentials (a role) it
   * ends when they do, if that is sooner. `method` HEAD signs a HEAD request.
   */
  downloadUrl(
    file: { storageKey: string; name: string; format: string; compression: string },
    expiresInSeconds: number,
    method?: 'GET' | 'HEAD',
  ): Promise<string>;
}

export interface S3FileStoreOptions {
  client: S3Client;
  bucket: string;
  /** A key prefix every object is kept under, without slashes at either end; '' for none. */
  prefix: string;
  /** The root of the staging directories (FILES_DIR). */
  stagingDir: string;
  /**
   * Bytes per part of a multipart upload; default 8 MiB, at least `MIN_PART_SIZE`.
   * A file of at most one part goes up in a single PUT.
   */
  partSize?: number;
  /** Parts of one file uploaded at once; default 4. Memory held is about `partSize × queueSize`. */
  queueSize?: number;
  /** Keys listed, and deleted, per request when removing; default and S3's maximum 1,000. */
  pageSize?: number;
}

export function s3FileStore(options: S3FileStoreOptions): S3FileStore {
  const { client, bucket, prefix } = options;
  const partSize = options.partSize ?? 8 * 1024 * 1024;
  const queueSize = options.queueSize ?? 4;
  const pageSize = options.pageSize ?? 1000;
  if (partSize < MIN_PART_SIZE) throw new RangeError(`partSize must be at least ${MIN_PART_SIZE} bytes (got ${partSize})`);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw new RangeError(`pageSize must be 1 to 1000 (got ${pageSize})`);
  const staging = localFileStore(options.stagingDir);
  const objectKeyOf = (storageKey: string) => (prefix === '' ? storageKey : `${prefix}/${storageKey}`);

  async function upload(path: string, storageKey: string, contentType: string, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const { size } = await stat(path);
    const body = createReadStream(path);
    try {
      await new Upload({
        client: abortableClient(client, signal),
        // No Content-Encoding, ever: a client would undo the compression, and the bytes would not match the sha256.
        // no-store, as our own downloads: a copy in a browser's cache would outlive the link and the file.
        params: { Bucket: bucket, Key: objectKeyOf(storageKey), Body: body, ContentLength: size, ContentType: contentType, CacheControl: 'no-store' },
        partSize,
        queueSize,
      }).done();
    } catch (error: unknown) {
      signal.throwIfAborted();
      throw new Error(`Uploading ${storageKey} to S3 bucket ${bucket} failed`, { cause: error });
    } finally {
      body.destroy();
    }
  }

  /**
   * Deletes every object whose storage key starts with `keyPrefix`, a page at a
   * time. ListObjects (v1) with a marker, the last key seen: every S3-compatible
   * server pages it alike (s3rver 3's v2 continuation tokens need a cipher that
   * Node's OpenSSL 3 no longer has).
   */
  async function removeUnder(keyPrefix: string): Promise<void> {
    let marker: string | undefined;
    try {
      do {
        const page = await client.send(new ListObjectsCommand({ Bucket: bucket, Prefix: objectKeyOf(keyPrefix), MaxKeys: pageSize, Marker: marker }));
        const objects = (page.Contents ?? []).flatMap((object) => (object.Key === undefined ? [] : [{ Key: object.Key }]));
        if (objects.length > 0) {
          const deleted = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
          const [first] = deleted.Errors ?? [];
          if (first) {
            throw new Error(`${deleted.Errors!.length} of ${objects.length} objects were not deleted; ${first.Key}: ${first.Code} ${first.Message}`);
          }
        }
        marker = page.IsTruncated ? objects.at(-1)?.Key : undefined;
      } while (marker !== undefined);
    } catch (error: unknown) {
      throw new Error(`Removing the objects under ${objectKeyOf(keyPrefix)} from S3 bucket ${bucket} failed`, { cause: error });
    }
  }

  /** Removes a job's staging directory once no batch of it is staged (several of its batches may be at once). */
  async function removeEmptyJobStaging(jobId: number): Promise<void> {
    await rmdir(join(options.stagingDir, String(jobId))).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT' && error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  }

  return {
    kind: 's3',
    keyPrefixOf: batchKeyPrefix,
    async storeBatch(jobId, batchId, write, signal) {
      const directory = staging.directoryOf(jobId, batchId);
      const keyPrefix = batchKeyPrefix(jobId, batchId);
      // What a crashed run left staged: this run writes it all again.
      await rm(directory, { recursive: true, force: true });
      try {
        const files = await write(directory);
        // One file after the other, in the writer's order (the manifest last): each visible once whole.
        for (const file of files) await upload(join(directory, file.name), `${keyPrefix}/${file.name}`, file.contentType, signal);
      } finally {
        await rm(directory, { recursive: true, force: true });
        await removeEmptyJobStaging(jobId);
      }
    },
    async removeJob(jobId) {
      await removeUnder(`${jobId}/`);
      await staging.removeJob(jobId);
    },
    async removeBatch(jobId, batchId) {
      await removeUnder(`${batchKeyPrefix(jobId, batchId)}/`);
      await staging.removeBatch(jobId, batchId);
      await removeEmptyJobStaging(jobId);
    },
    downloadUrl(file, expiresInSeconds, method = 'GET') {
      const input = {
        Bucket: bucket,
        Key: objectKeyOf(file.storageKey),
        ResponseContentDisposition: attachmentDisposition(file.name),
        // The columns hold only what validateExportJobInput admitted.
        ResponseContentType: contentTypeOf({ format: file.format as ExportFormat, compression: file.compression as Compression }),
        // Also for objects uploaded before they carried it.
        ResponseCacheControl: 'no-store',
      };
      const command = method === 'HEAD' ? new HeadObjectCommand(input) : new GetObjectCommand(input);
      return getSignedUrl(client, command, { expiresIn: expiresInSeconds });
    },
  };
}

/**
 * `client`, sending every request with `signal` except AbortMultipartUpload,
 * which cleans up after an aborted upload. `Upload.abort()` would only stop
 * waiting: requests in flight would go on, and a PUT could complete after the
 * job's objects were removed. With the signal on each request, an abort ends
 * them, and `done()` rejects only once every one has settled.
 */
function abortableClient(client: S3Client, signal: AbortSignal): S3Client {
  const send = (command: Parameters<S3Client['send']>[0], options?: { abortSignal?: AbortSignal }) =>
    client.send(command as never, command instanceof AbortMultipartUploadCommand ? options : { ...options, abortSignal: signal });
  return Object.assign(Object.create(client) as S3Client, { send });
}
