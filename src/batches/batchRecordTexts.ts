import { and, eq, gt, sql, type SQL } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { inKeyOrder } from '../db/inKeyOrder';
import { batchRecords } from '../db/schema';

/** One chunk as the database answers it. */
type ChunkRow = { records: number; last_key: string | null; lines: string | null };

/**
 * A chunk's records travel as one value, which PostgreSQL bounds at 1 GB and V8
 * at 512 M characters, and a profile may be 16 MB: the first chunk of a batch
 * is small, and each next one at most `GROWTH` times the last and no more
 * records than, at the size of those read so far, fill `CHUNK_TEXT_BUDGET`.
 */
const FIRST_CHUNK = 16;
const GROWTH = 4;
const CHUNK_TEXT_BUDGET = 32 * 1024 * 1024;

/** Records read per statement by `batchRecordTexts` unless told otherwise. */
export const DEFAULT_CHUNK_SIZE = 1000;

/**
 * A batch's records in chunks of at most `chunkSize`, by profile id, each
 * chunk as the database answers it: its records' JSON text (jsonb's, one line
 * each) joined by line breaks. One short statement a chunk (walking the key in
 * order: `inKeyOrder`), so no connection or snapshot is held while a slow
 * consumer reads (PGlite has only one connection), and at most one chunk is in
 * memory. The next chunk is read only when the consumer asks for it, and never
 * once it stops iterating. Consumers that want records split the text where
 * they use it (the file writer's thread); the NDJSON endpoint writes it as is.
 *
 * Each profile appears at most once (it is the key), but a batch still being
 * written (`LOADING`) may gain records behind the position already read.
 * `batchId` must be a batch already read for the caller's tenant.
 */
export async function* batchRecordTexts(
  db: AppDatabase,
  batchId: string,
  chunkSize = DEFAULT_CHUNK_SIZE,
  /** Characters of JSON text the chunks after the first aim at, at most (tests). */
  textBudget = CHUNK_TEXT_BUDGET,
): AsyncGenerator<string, void, undefined> {
  let afterKey: string | null = null;
  let size = Math.min(chunkSize, FIRST_CHUNK);
  for (;;) {
    const after = afterKey;
    const asked = size;
    const rows: ChunkRow[] = await inKeyOrder(db, (tx) => tx.execute<ChunkRow>(chunkStatement(batchId, after, asked)));
    const records = Number(rows[0]?.records ?? 0);
    const text = rows[0]?.lines ?? '';
    if (records > 0) yield text;
    // Fewer than asked for: the batch has no more.
    if (records < asked) return;
    afterKey = rows[0]!.last_key;
    size = Math.max(1, Math.min(chunkSize, asked * GROWTH, Math.floor(textBudget / (text.length / records))));
  }
}

/**
 * One chunk as one row: the records' JSON text joined by line breaks (jsonb's
 * text form is one line of JSON already), their number and the last key.
 * Decoding a row each cost more than the query on PGlite: 1.3 s for 200,000
 * records, against 0.4 s as one row a chunk. Exported for the test of its plan.
 */
export function chunkStatement(batchId: string, after: string | null, chunkSize: number): SQL {
  return sql`
    select count(*)::int as records, max(profile_id) as last_key, string_agg(json, E'\\n' order by profile_id) as lines
    from (
      select ${batchRecords.profileId} as profile_id, ${batchRecords.record}::text as json
      from ${batchRecords}
      where ${and(eq(batchRecords.batchId, batchId), after === null ? undefined : gt(batchRecords.profileId, after))}
      order by ${batchRecords.profileId}
      limit ${chunkSize}) as chunk`;
}
