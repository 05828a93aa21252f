import { and, eq, sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { batchRecords } from '../db/schema';
import { statementCache } from '../db/statementCache';
import { keyPageClauses } from '../pagination/keyPage';

/** Records read per statement by `batchRecordChunks` unless told otherwise. */
export const DEFAULT_CHUNK_SIZE = 1000;

/**
 * A batch's records as JSON text, in chunks of at most `chunkSize`, by profile
 * id: one short statement a chunk, so no connection or snapshot is held while
 * a slow consumer reads (PGlite has only one connection), and at most one chunk
 * is in memory. The next chunk is read only when the consumer asks for it, and
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
    const rows = await chunkStatement(db, afterKey !== null).execute({ batchId, afterKey, limit: chunkSize });
    if (rows.length > 0) yield rows.map((row) => row.json);
    const last = rows.at(-1);
    if (last === undefined || rows.length < chunkSize) return;
    afterKey = last.profileId;
  }
}

const chunkStatement = statementCache(
  (after: boolean) => (after ? 'after' : 'first'),
  (db, after) => {
    const keyPage = keyPageClauses(batchRecords.profileId, after);
    return (
      db
        // jsonb's text form is already one line of JSON: no parse and re-stringify in Node.
        .select({ profileId: batchRecords.profileId, json: sql<string>`${batchRecords.record}::text` })
        .from(batchRecords)
        .where(and(eq(batchRecords.batchId, sql.placeholder('batchId')), ...keyPage.conditions))
        .orderBy(...keyPage.orderBy)
        .limit(sql.placeholder('limit'))
        .prepare(`batch_records_chunk${after ? '_after' : ''}`)
    );
  },
);
