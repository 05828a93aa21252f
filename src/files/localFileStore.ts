/**
 * Result files on local disk, under FILES_DIR: `{jobId}/{batchId}/part-00000.jsonl.gz`
 * and the batch's `manifest.json`. A storage key is the path below the root, so
 * a row names its file wherever the directory is mounted.
 */
import { rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { batchKeyPrefix, type FileStore } from './fileStore';

export interface LocalFileStore extends FileStore {
  readonly kind: 'local';
  /** The absolute directory of one batch's files. */
  directoryOf(jobId: number, batchId: string): string;
  /** The absolute path of a stored file; throws for a key that leaves the root. */
  pathOf(storageKey: string): string;
}

export function localFileStore(dir: string): LocalFileStore {
  const root = resolve(dir);
  const pathOf = (storageKey: string) => {
    const path = resolve(root, storageKey);
    // Keys are ours, but a path is only ever built below the root.
    if (!path.startsWith(root + sep)) throw new Error(`Storage key ${JSON.stringify(storageKey)} leaves FILES_DIR`);
    return path;
  };
  const directoryOf = (jobId: number, batchId: string) => pathOf(batchKeyPrefix(jobId, batchId));
  return {
    kind: 'local',
    directoryOf,
    keyPrefixOf: batchKeyPrefix,
    pathOf,
    async storeBatch(jobId, batchId, write, signal) {
      const directory = directoryOf(jobId, batchId);
      // What an earlier run left (a crash mid-file leaves a temporary file): this run writes it all again.
      await rm(directory, { recursive: true, force: true });
      signal.throwIfAborted();
      // Each file is renamed onto its name once whole (the writer's rule): written is stored.
      await write(directory);
    },
    removeJob: (jobId) => rm(join(root, String(jobId)), { recursive: true, force: true }),
    removeBatch: (jobId, batchId) => rm(directoryOf(jobId, batchId), { recursive: true, force: true }),
  };
}
