import { eq } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { batchFiles, type BatchFileRow } from '../db/schema';
import { couldBeStoredKey } from '../profiles/storable';
import type { LocalFileStore } from './localFileStore';

/**
 * A file by id, for a download whose signed link names it: the signature is
 * the caller's authority, so no tenant is asked for. Null when there is none.
 */
export async function findStoredFile(
  db: AppDatabase,
  store: LocalFileStore,
  id: string,
): Promise<{ file: BatchFileRow; path: string } | null> {
  if (!couldBeStoredKey(id)) return null;
  const [file] = await db.select().from(batchFiles).where(eq(batchFiles.id, id));
  return file ? { file, path: store.pathOf(file.storageKey) } : null;
}
