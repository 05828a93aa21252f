import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { executionTimeOf } from '../../db/executionTime';
import type { ChunkSizer } from '../chunkSizer';

/**
 * Deletes the records of `batchIds` in short statements, each sized by
 * `sizer`: a cancelled export of a million records must not hold the
 * database (on PGlite, the only connection) for the seconds one DELETE takes.
 * Readers see none of them meanwhile, since their batches are ABORTED or
 * FAILED already (holdsRecords). Returns how many it deleted. Once `stopped`
 * says so it stops between statements, leaving the rest for a later sweep.
 */
export async function removeBatchRecords(
  db: AppDatabase,
  batchIds: string[],
  sizer: ChunkSizer,
  stopped: () => boolean = () => false,
): Promise<number> {
  let removed = 0;
  for (const batchId of batchIds) {
    while (!stopped()) {
      const limit = sizer.size;
      const startedAt = performance.now();
      // By ctid: a TID scan of exactly the rows the inner index scan found, whatever the estimates.
      const result = await db.execute<{ n: number }>(sql`
        with deleted as (
          delete from batch_records where ctid = any(array(
            select ctid from batch_records where batch_id = ${batchId} limit ${limit}))
          returning 1)
        select count(*)::int as n from deleted`);
      const n = result[0]?.n ?? 0;
      removed += n;
      sizer.record(executionTimeOf(result, performance.now() - startedAt), n < limit);
      if (n < limit) break;
    }
  }
  return removed;
}

/**
 * ABORTED or FAILED batches that still have records: a run that died while
 * removing what its job left (its files first, then its records).
 */
export async function batchesWithAbandonedRecords(db: AppDatabase): Promise<{ id: string; jobId: number }[]> {
  const rows = await db.execute<{ id: string; job_id: number | string }>(sql`
    select b.id, b.job_id from batches b
    where b.status in ('ABORTED', 'FAILED')
      and exists (select 1 from batch_records r where r.batch_id = b.id)`);
  return rows.map((row) => ({ id: row.id, jobId: Number(row.job_id) }));
}
