/**
 * Where result files are kept: on local disk under FILES_DIR
 * (`localFileStore.ts`), or in an S3 bucket (`s3FileStore.ts`) when
 * FILES_S3_BUCKET is set (`createFileStore.ts` chooses). Either way a file is
 * named by its storage key, `${jobId}/${encodeURIComponent(batchId)}/${name}`,
 * the `batch_files.storage_key` column: a row names its file in any store.
 *
 * Terms:
 * - staged file: a file written whole on local disk, not yet stored (S3 only:
 *   local files are written in place).
 * - stored: visible under its storage key, whole; never in part.
 */

/** A file `storeBatch`'s writer has written whole into the directory it was given. */
export interface StagedFile {
  /** Its name in that directory, and the last part of its storage key. */
  name: string;
  /** What it is served as (the object's Content-Type in S3). */
  contentType: string;
}

/** What the runner needs of a store: the part that is the same for local disk and S3. */
export interface FileStore {
  /** Which store this is: links to local files are this server's (`GET /files/…`), to S3 objects presigned. */
  readonly kind: 'local' | 's3';
  /** The storage-key prefix of one batch's files (no trailing slash). */
  keyPrefixOf(jobId: number, batchId: string): string;
  /**
   * Stores one batch's files. `write` gets an empty local directory, writes the
   * files into it whole (each under a temporary name first), and returns them
   * in the order they are to become visible: once this resolves, each is stored
   * under `${keyPrefixOf(jobId, batchId)}/${name}`. What an earlier run left of
   * the batch in that directory is removed first.
   *
   * Local: the directory is the batch's own, so the files are stored as they are
   * written. S3: a staging directory below FILES_DIR, uploaded and then removed,
   * whatever the outcome. Once `signal` aborts, in-flight uploads are ended and
   * this rejects; an S3 object becomes visible only when its upload completes.
   */
  storeBatch(
    jobId: number,
    batchId: string,
    write: (directory: string) => Promise<StagedFile[]>,
    signal: AbortSignal,
  ): Promise<void>;
  /** Removes every file of a job (a cancelled or failed export): nothing of it stays visible. */
  removeJob(jobId: number): Promise<void>;
  /** Removes one batch's files and manifest (its results expired). */
  removeBatch(jobId: number, batchId: string): Promise<void>;
}

/** The storage-key prefix of a batch's files, the same in every store. */
export function batchKeyPrefix(jobId: number, batchId: string): string {
  return `${jobId}/${encodeURIComponent(batchId)}`;
}
