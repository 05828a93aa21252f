import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { inKeyOrder } from '../db/inKeyOrder';
import { batchRecords } from '../db/schema';

/** Records read per statement by `batchRecordChunks` unless told otherwise. */
export const DEFAULT_CHUNK_SIZE = 1000;

/**
 * A batch's records as JSON text, in chunks of at most `chunkSize`, by profile
 * id: one short statement a chunk (walking the key in order: `inKeyOrder`), so no connection or snapshot is held while a slow consumer reads
 * (PGlite has only one connection), and at most one chunk is in memory. The next chunk is read only when the consumer asks for it, and
 * never once it stops iterating.
 *
 * Each profile appears at most once (it is the key), but a batch still being
 * written (`LOADING`) may gain records behind the position already read.
 * `batchId` must be a batch already read for the caller's tenant.
 */
export async function* batchRecordChunks(
  db: AppDatabase,
  batchId: string,
  chunkSize = DEFAULT_CHUNK_SIZE,
): AsyncGenerator<string[], void, undefined> {
  let afterKey: string | null = null;
  for (;;) {
    const after = afterKey;
    const rows: { profileId: string; json: string }[] = await inKeyOrder(db, (tx) =>
      tx
        // jsonb's text form is already one line of JSON: no parse and re-stringify in Node.
        .select({ profileId: batchRecords.profileId, json: sql<string>`${batchRecords.record}::text` })
        .from(batchRecords)
        .where(and(eq(batchRecords.batchId, batchId), after === null ? undefined : gt(batchRecords.profileId, after)))
        .orderBy(asc(batchRecords.profileId))
        .limit(chunkSize),
    );
    if (rows.length > 0) yield rows.map((row) => row.json);
    const last = rows.at(-1);
    if (last === undefined || rows.length < chunkSize) return;
    afterKey = last.profileId;
  }
}
