import { and, asc, count, eq, gt, sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { batchRecords, type BatchRow } from '../db/schema';
import { inKeyOrder } from '../db/inKeyOrder';
import { preparedStatement } from '../db/statementCache';
import type { Connection } from '../pagination/connection';
import { keyCursorEncoder } from '../pagination/cursor';
import { keyPageFromRows, keyPageValues, parseKeyPageArgs, type KeyPageArgs } from '../pagination/keyPage';
import type { Tenant } from '../tenant';
import { holdsRecords } from './holdsRecords';

/** An exported record: the JSON object itself, its cursor built from its profile id. */
export type BatchRecord = Record<string, unknown>;

export type BatchRecordPage = Connection<BatchRecord>;

/**
 * One page of a batch's records, by profile id, served by the primary key
 * (batch_id, profile_id) in its order (`inKeyOrder`: a fresh batch has no statistics). `batch` must be a batch already read for `tenant`
 * (records carry no tenant); the tenant binds the cursors.
 */
export async function listBatchRecords(
  db: AppDatabase,
  tenant: Tenant,
  batch: Pick<BatchRow, 'id' | 'status' | 'expiresAt'>,
  args: KeyPageArgs,
): Promise<BatchRecordPage> {
  const request = parseKeyPageArgs('record', tenant, args);
  const batchId = batch.id;
  const { limit, afterKey } = keyPageValues(request);
  const rows = holdsRecords(batch)
    ? await inKeyOrder(db, (tx) =>
        tx
          .select({ profileId: batchRecords.profileId, record: batchRecords.record })
          .from(batchRecords)
          .where(and(eq(batchRecords.batchId, batchId), afterKey === undefined ? undefined : gt(batchRecords.profileId, afterKey)))
          .orderBy(asc(batchRecords.profileId))
          .limit(limit),
      )
    : [];
  const encode = keyCursorEncoder('record', tenant);
  const page = keyPageFromRows(rows, request, (row) => ({ cursor: encode(row.profileId), node: row.record }));
  return {
    ...page,
    countTotal: async () => {
      if (!holdsRecords(batch)) return 0;
      const [result] = await countStatement(db).execute({ batchId });
      return result?.total ?? 0;
    },
  };
}

const ofBatch = () => eq(batchRecords.batchId, sql.placeholder('batchId'));

const countStatement = preparedStatement((db) =>
  db.select({ total: count() }).from(batchRecords).where(ofBatch()).prepare('batch_records_count'),
);
