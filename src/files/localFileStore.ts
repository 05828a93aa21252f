/**
 * Result files on local disk, under FILES_DIR: `{jobId}/{batchId}/part-00000.jsonl.gz`
 * and the batch's `manifest.json`. A storage key is the path below the root, so
 * a row names its file wherever the directory is mounted.
 */
import { rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';

export interface LocalFileStore {
  /** The absolute directory of one batch's files. */
  directoryOf(jobId: number, batchId: string): string;
  /** The storage-key prefix of one batch's files. */
  keyPrefixOf(jobId: number, batchId: string): string;
  /** The absolute path of a stored file; throws for a key that leaves the root. */
  pathOf(storageKey: string): string;
  /** Removes every file of a job (a cancelled or failed export): nothing of it stays visible. */
  removeJob(jobId: number): Promise<void>;
}

export function localFileStore(dir: string): LocalFileStore {
  const root = resolve(dir);
  const keyPrefixOf = (jobId: number, batchId: string) => `${jobId}/${encodeURIComponent(batchId)}`;
  const pathOf = (storageKey: string) => {
    const path = resolve(root, storageKey);
    // Keys are ours, but a path is only ever built below the root.
    if (!path.startsWith(root + sep)) throw new Error(`Storage key ${JSON.stringify(storageKey)} leaves FILES_DIR`);
    return path;
  };
  return {
    directoryOf: (jobId, batchId) => pathOf(keyPrefixOf(jobId, batchId)),
    keyPrefixOf,
    pathOf,
    removeJob: (jobId) => rm(join(root, String(jobId)), { recursive: true, force: true }),
  };
}
