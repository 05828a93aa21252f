import { and, count, sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { datasets, type DatasetRow } from '../db/schema';
import { preparedStatement, statementCache } from '../db/statementCache';
import { datasetsOfTenant } from '../db/tenantScope';
import { cursorEncoder } from '../pagination/cursor';
import type { Connection } from '../pagination/connection';
import { keysetClauses, keysetValues, pageFromRows, pageShapeKey, pageShapeOf } from '../pagination/keyset';
import { parsePageArgs, type PageArgs } from '../pagination/pageRequest';
import type { Tenant } from '../tenant';

/** One page of the tenant's datasets, newest first. */
export async function listDatasets(db: AppDatabase, tenant: Tenant, args: PageArgs): Promise<Connection<DatasetRow>> {
  const request = parsePageArgs('dataset', tenant, args);
  const rows = await pageStatement(db, pageShapeOf(request)).execute({ ...tenant, ...keysetValues(request) });
  const encode = cursorEncoder('dataset', tenant);
  const page = pageFromRows(rows, request, (row) => encode({ time: row.createdAt, id: row.id }));
  return {
    ...page,
    countTotal: async () => {
      const [result] = await countStatement(db).execute({ ...tenant });
      return result?.total ?? 0;
    },
  };
}

const pageStatement = statementCache(pageShapeKey, (db, shape) => {
  const keyset = keysetClauses({ time: datasets.createdAt, id: datasets.id, idType: 'text' }, shape);
  return db
    .select()
    .from(datasets)
    .where(and(datasetsOfTenant(), ...keyset.conditions))
    .orderBy(...keyset.orderBy)
    .limit(sql.placeholder('limit'))
    .prepare(`datasets_page_${pageShapeKey(shape)}`);
});

const countStatement = preparedStatement((db) => db.select({ total: count() }).from(datasets).where(datasetsOfTenant()).prepare('datasets_count'),
);
