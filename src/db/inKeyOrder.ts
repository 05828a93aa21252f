/**
 * Runs a keyset read (`where key > $after order by key limit $n`) so that it
 * walks the key's index in order, whatever the statistics say. Tables filled by
 * an export (batch_records) are never analyzed on PGlite (no autovacuum) and
 * not yet on PostgreSQL: the planner then guesses a few hundred rows and
 * answers with a bitmap scan and a sort of every row after the key — 100 ms
 * for 2,000 of a 200,000-record batch instead of 4. With sorts off for the
 * statement (SET LOCAL, so in a transaction of its own), the index order is
 * the only plan left.
 */
import { sql } from 'drizzle-orm';
import type { AppDatabase } from './database';

type Transaction = Parameters<Parameters<AppDatabase['transaction']>[0]>[0];

export function inKeyOrder<T>(db: AppDatabase, read: (tx: Transaction) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local enable_sort = off`);
    return read(tx);
  });
}
