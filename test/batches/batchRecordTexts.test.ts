/**
 * A batch's records in chunks, each chunk one row of the database: every
 * record once, in key order, exactly as stored (jsonb's text), across chunk
 * boundaries. The first chunk is small (16), each next one at most four times
 * the last, and no larger than the records read so far say fits the text budget.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchRecordTexts } from '../../src/batches/batchRecordTexts';
import type { Database } from '../../src/db/database';
import { storageTargets } from '../helpers/databases';

async function chunksOf(database: Database, batchId: string, chunkSize: number, textBudget?: number): Promise<string[][]> {
  const chunks: string[][] = [];
  for await (const text of batchRecordTexts(database.db, batchId, chunkSize, textBudget)) chunks.push(text.split('\n'));
  return chunks;
}

describe.each(storageTargets)('batchRecordTexts on $name', (target) => {
  let database: Database;
  /** Batch 'seven': 7 records of about 1,000 characters each; a line break and non-ASCII inside values. */
  let expected: string[];
  /** Batch 'many': 300 small records. */
  let many: string[];

  beforeAll(async () => {
    database = await target.open();
    await database.db.execute(sql`insert into batch_records (batch_id, profile_id, record)
      select 'seven', 'p' || i, jsonb_build_object('profileId', 'p' || i, 'note', e'line\\nbreak ü ' || repeat('x', 1000))
      from generate_series(1, 7) i`);
    const rows = await database.db.execute<{ json: string }>(
      sql`select record::text as json from batch_records where batch_id = 'seven' order by profile_id`,
    );
    expected = rows.map((row) => row.json);
    await database.db.execute(sql`insert into batch_records (batch_id, profile_id, record)
      select 'many', lpad(i::text, 4, '0'), jsonb_build_object('n', i) from generate_series(1, 300) i`);
    many = (await database.db.execute<{ json: string }>(sql`select record::text as json from batch_records where batch_id = 'many' order by profile_id`)).map(
      (row) => row.json,
    );
  });
  afterAll(() => database?.close());

  it('reads every record once, in key order, as stored, chunk after chunk', async () => {
    const chunks = await chunksOf(database, 'seven', 3);
    expect(chunks.map((chunk) => chunk.length)).toEqual([3, 3, 1]);
    expect(chunks.flat()).toEqual(expected);
    expect(expected[0]).toContain('line\\nbreak ü');
  });

  it('ends with a full chunk when the batch ends on one, and reads nothing of an empty batch', async () => {
    expect((await chunksOf(database, 'seven', 7)).map((chunk) => chunk.length)).toEqual([7]);
    expect(await chunksOf(database, 'none', 5)).toEqual([]);
  });

  it('starts with 16 records and grows fourfold up to the chunk size', async () => {
    const chunks = await chunksOf(database, 'many', 100);
    expect(chunks.map((chunk) => chunk.length)).toEqual([16, 64, 100, 100, 20]);
    expect(chunks.flat()).toEqual(many);
  });

  it('sizes the chunks after the first by the text budget, one record a chunk at least', async () => {
    // Over 1,000 characters a record: a budget of 2,500 fits two.
    expect((await chunksOf(database, 'seven', 3, 2_500)).map((chunk) => chunk.length)).toEqual([3, 2, 2]);
    const tiny = await chunksOf(database, 'seven', 3, 10);
    expect(tiny.map((chunk) => chunk.length)).toEqual([3, 1, 1, 1, 1]);
    expect(tiny.flat()).toEqual(expected);
  });
});
