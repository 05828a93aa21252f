import { and, count } from 'drizzle-orm';
import type { AppDatabase } from '../db/createDb';
import { datasets, type DatasetRow } from '../db/schema';
import { datasetsOfTenant } from '../db/tenantScope';
import { cursorEncoder } from '../pagination/cursor';
import type { Connection } from '../pagination/connection';
import { keysetQuery, pageFromRows } from '../pagination/keyset';
import { parsePageArgs, type PageArgs } from '../pagination/pageRequest';
import type { Tenant } from '../tenant';

/** One page of the tenant's datasets, newest first. */
export async function listDatasets(db: AppDatabase, tenant: Tenant, args: PageArgs): Promise<Connection<DatasetRow>> {
  const request = parsePageArgs('dataset', tenant, args);
  const keyset = keysetQuery({ time: datasets.createdAt, id: datasets.id, idType: 'text' }, request);
  const rows = await db
    .select()
    .from(datasets)
    .where(and(datasetsOfTenant(tenant), ...keyset.conditions))
    .orderBy(...keyset.orderBy)
    .limit(keyset.limit);
  const encode = cursorEncoder('dataset', tenant);
  const page = pageFromRows(rows, request, (row) => encode({ time: row.createdAt, id: row.id }));
  return {
    ...page,
    countTotal: async () => {
      const [result] = await db.select({ total: count() }).from(datasets).where(datasetsOfTenant(tenant));
      return result?.total ?? 0;
    },
  };
}
