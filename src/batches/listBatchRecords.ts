import { and, count, eq, sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { batchRecords, type BatchRow } from '../db/schema';
import { preparedStatement, statementCache } from '../db/statementCache';
import type { Connection } from '../pagination/connection';
import { keyCursorEncoder } from '../pagination/cursor';
import { keyPageClauses, keyPageFromRows, keyPageValues, parseKeyPageArgs, type KeyPageArgs } from '../pagination/keyPage';
import type { Tenant } from '../tenant';
import { holdsRecords } from './holdsRecords';

/** An exported record: the JSON object itself, its cursor built from its profile id. */
export type BatchRecord = Record<string, unknown>;

export type BatchRecordPage = Connection<BatchRecord>;

/**
 * One page of a batch's records, by profile id, served by the primary key
 * (batch_id, profile_id). `batch` must be a batch already read for `tenant`
 * (records carry no tenant); the tenant binds the cursors.
 */
export async function listBatchRecords(
  db: AppDatabase,
  tenant: Tenant,
  batch: Pick<BatchRow, 'id' | 'status'>,
  args: KeyPageArgs,
): Promise<BatchRecordPage> {
  const request = parseKeyPageArgs('record', tenant, args);
  const batchId = batch.id;
  const rows = holdsRecords(batch)
    ? await pageStatement(db, request.after !== null).execute({ batchId, ...keyPageValues(request) })
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

const pageStatement = statementCache(
  (after: boolean) => (after ? 'after' : 'first'),
  (db, after) => {
    const keyPage = keyPageClauses(batchRecords.profileId, after);
    return db
      .select({ profileId: batchRecords.profileId, record: batchRecords.record })
      .from(batchRecords)
      .where(and(ofBatch(), ...keyPage.conditions))
      .orderBy(...keyPage.orderBy)
      .limit(sql.placeholder('limit'))
      .prepare(`batch_records_page${after ? '_after' : ''}`);
  },
);

const countStatement = preparedStatement((db) =>
  db.select({ total: count() }).from(batchRecords).where(ofBatch()).prepare('batch_records_count'),
);
