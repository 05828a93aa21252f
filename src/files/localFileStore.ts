/**
 * Result files on local disk, under FILES_DIR: `{jobId}/{batchId}/part-00000.jsonl.gz`
 * and the batch's `manifest.json`. A storage key is the path below the root, so
 * a row names its file wherever the directory is mounted.
 */
import { rm, rmdir } from 'node:fs/promises';
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
    async removeBatch(jobId, batchId) {
      await rm(directoryOf(jobId, batchId), { recursive: true, force: true });
      await removeIfEmpty(join(root, String(jobId)));
    },
  };
}

/**
 * The job's directory once its last batch is gone: results expire a batch at a time, and a
 * directory per job ever run would pile up under FILES_DIR. One that still holds a batch stays.
 */
async function removeIfEmpty(directory: string): Promise<void> {
  try {
    await rmdir(directory);
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOENT') throw error;
  }
}
