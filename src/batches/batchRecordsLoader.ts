/**
 * `Batch.records`: a page of each batch's records by profile id, the batches of
 * one request that ask for the same page read by one statement, their totals
 * by one more (createBatchRecordsLoader, one per request).
 */
import DataLoader from 'dataloader';
import { and, asc, count, eq, gt, inArray, sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { batchRecords, type BatchRow } from '../db/schema';
import { inKeyOrder } from '../db/inKeyOrder';
import type { Connection } from '../pagination/connection';
import { keyCursorEncoder } from '../pagination/cursor';
import { keyPageFromRows, keyPageValues, parseKeyPageArgs, type KeyPageArgs, type KeyPageRequest } from '../pagination/keyPage';
import { createKeyPagesLoader, groupedBy } from '../pagination/keyPagesLoader';
import type { Tenant } from '../tenant';
import { holdsRecords } from './holdsRecords';

/** An exported record: the JSON object itself, its cursor built from its profile id. */
export type BatchRecord = Record<string, unknown>;

export type BatchRecordPage = Connection<BatchRecord>;

/**
 * A page of a batch's records. `batch` must be a batch already read for the
 * request's tenant (records carry no tenant); the tenant binds the cursors.
 */
export type BatchRecordsLoader = (batch: Pick<BatchRow, 'id' | 'status' | 'expiresAt'>, args: KeyPageArgs) => Promise<BatchRecordPage>;

export function createBatchRecordsLoader(db: AppDatabase, tenant: Tenant): BatchRecordsLoader {
  const pages = createKeyPagesLoader('record', tenant, (batchIds, request) => readRecordPages(db, batchIds, request));
  const totals = new DataLoader<string, number>(async (batchIds) => {
    const rows = await db
      .select({ batchId: batchRecords.batchId, total: count() })
      .from(batchRecords)
      .where(inArray(batchRecords.batchId, [...batchIds]))
      .groupBy(batchRecords.batchId);
    const totalOf = new Map(rows.map((row) => [row.batchId, Number(row.total)]));
    return batchIds.map((id) => totalOf.get(id) ?? 0);
  });
  const encode = keyCursorEncoder('record', tenant);
  return async (batch, args) => {
    const holds = holdsRecords(batch);
    // A batch without records (expired, removed) still has its arguments checked, and reads nothing.
    const { request, rows } = holds ? await pages(batch.id, args) : { request: parseKeyPageArgs('record', tenant, args), rows: [] };
    const page = keyPageFromRows(rows, request, (row) => ({ cursor: encode(row.profileId), node: row.record }));
    return { ...page, countTotal: async () => (holds ? totals.load(batch.id) : 0) };
  };
}

/**
 * The page `request` of each batch, by the primary key (batch_id, profile_id)
 * in its order: one index seek per batch, each a lateral subquery that stops
 * after the page (`inKeyOrder`: a fresh batch has no statistics).
 */
async function readRecordPages(db: AppDatabase, batchIds: readonly string[], request: KeyPageRequest) {
  const { limit, afterKey } = keyPageValues(request);
  const rows = await inKeyOrder(db, (tx) => {
    const page = tx
      .select({ batchId: batchRecords.batchId, profileId: batchRecords.profileId, record: batchRecords.record })
      .from(batchRecords)
      .where(and(eq(batchRecords.batchId, sql`asked.id`), afterKey === undefined ? undefined : gt(batchRecords.profileId, afterKey)))
      .orderBy(asc(batchRecords.profileId))
      .limit(limit)
      .as('page');
    return tx
      .select({ batchId: page.batchId, profileId: page.profileId, record: page.record })
      .from(sql`unnest(${sql.param([...batchIds])}::text[]) with ordinality as asked(id, position)`)
      .crossJoinLateral(page)
      .orderBy(sql`asked.position`, asc(page.profileId));
  });
  return groupedBy(rows, (row) => row.batchId);
}
