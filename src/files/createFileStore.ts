/**
 * The store the config names: an S3 bucket when FILES_S3_BUCKET is set, else
 * local disk under FILES_DIR. The AWS SDK is loaded only for an S3 store
 * (`openS3FileStore.ts`): it costs every start ~190 ms otherwise.
 */
import type { FilesOptions } from './filesOptions';
import { localFileStore, type LocalFileStore } from './localFileStore';
import type { S3FileStore, S3FileStoreOptions } from './s3FileStore';

/** A store as configured: each kind has abilities of its own besides the common `FileStore`. */
export type ConfiguredFileStore = LocalFileStore | S3FileStore;

export async function createFileStore(
  options: FilesOptions,
  /** Tests only: a smaller part size, or pages, than S3's defaults. */
  tuning: Pick<S3FileStoreOptions, 'partSize' | 'queueSize' | 'pageSize'> = {},
): Promise<ConfiguredFileStore> {
  if (!options.s3) return localFileStore(options.dir);
  const { openS3FileStore } = await import('./openS3FileStore');
  return openS3FileStore(options.s3, options.dir, tuning);
}
