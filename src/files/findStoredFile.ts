import { eq } from 'drizzle-orm';
import { hasExpired } from '../batches/resultExpiry';
import type { AppDatabase } from '../db/database';
import { batches, batchFiles, type BatchFileRow } from '../db/schema';
import { couldBeStoredKey } from '../profiles/storable';
import type { ConfiguredFileStore } from './createFileStore';

/**
 * A file's row, whether its batch's results have expired (RESULT_TTL_DAYS), and
 * where its bytes are: a path on this machine, or an S3 object a presigned URL leads to.
 */
export type StoredFile = { file: BatchFileRow; expired: boolean } & (
  | { store?: 'local'; path: string }
  | { store: 's3'; presignedUrl(method: 'GET' | 'HEAD', expiresInSeconds: number): Promise<string> }
);

/**
 * A file by id, for a download whose signed link names it: the signature is
 * the caller's authority, so no tenant is asked for. Null when there is none.
 */
export async function findStoredFile(db: AppDatabase, store: ConfiguredFileStore, id: string): Promise<StoredFile | null> {
  if (!couldBeStoredKey(id)) return null;
  const [found] = await db
    .select({ file: batchFiles, status: batches.status, expiresAt: batches.expiresAt })
    .from(batchFiles)
    .innerJoin(batches, eq(batches.id, batchFiles.batchId))
    .where(eq(batchFiles.id, id));
  if (!found) return null;
  const { file } = found;
  const expired = hasExpired(found);
  switch (store.kind) {
    case 'local':
      return { file, expired, store: 'local', path: store.pathOf(file.storageKey) };
    case 's3':
      return { file, expired, store: 's3', presignedUrl: (method, seconds) => store.downloadUrl(file, seconds, method) };
  }
}
