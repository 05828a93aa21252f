import { and, count, eq, sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { batches, type BatchRow } from '../db/schema';
import { preparedStatement, statementCache } from '../db/statementCache';
import { batchesOfTenant } from '../db/tenantScope';
import { cursorEncoder } from '../pagination/cursor';
import type { Connection } from '../pagination/connection';
import { keysetClauses, keysetValues, pageFromRows, pageShapeKey, pageShapeOf } from '../pagination/keyset';
import { parsePageArgs, type PageArgs } from '../pagination/pageRequest';
import type { Tenant } from '../tenant';

/**
 * One page of the batches written into the tenant's dataset `datasetId`, newest
 * first, served by the index (org, sandbox, dataset, createdAt, id).
 */
export async function listDatasetBatches(
  db: AppDatabase,
  tenant: Tenant,
  datasetId: string,
  args: PageArgs,
): Promise<Connection<BatchRow>> {
  const request = parsePageArgs('batch', tenant, args);
  const values = { ...tenant, datasetId };
  const rows = await pageStatement(db, pageShapeOf(request)).execute({ ...values, ...keysetValues(request) });
  const encode = cursorEncoder('batch', tenant);
  const page = pageFromRows(rows, request, (row) => encode({ time: row.createdAt, id: row.id }));
  return {
    ...page,
    countTotal: async () => {
      const [result] = await countStatement(db).execute(values);
      return result?.total ?? 0;
    },
  };
}

const ofDataset = () => and(batchesOfTenant(), eq(batches.datasetId, sql.placeholder('datasetId')));

const pageStatement = statementCache(pageShapeKey, (db, shape) => {
  const keyset = keysetClauses({ time: batches.createdAt, id: batches.id, idType: 'text' }, shape);
  return db
    .select()
    .from(batches)
    .where(and(ofDataset(), ...keyset.conditions))
    .orderBy(...keyset.orderBy)
    .limit(sql.placeholder('limit'))
    .prepare(`dataset_batches_page_${pageShapeKey(shape)}`);
});

const countStatement = preparedStatement((db) =>
  db.select({ total: count() }).from(batches).where(ofDataset()).prepare('dataset_batches_count'),
);
