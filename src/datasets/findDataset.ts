import { and, eq, inArray } from 'drizzle-orm';
import type { AppDatabase } from '../db/createDb';
import { datasets, type DatasetRow } from '../db/schema';
import { datasetsOfTenant } from '../db/tenantScope';
import type { Tenant } from '../tenant';

/** The tenant's dataset with this id, or null. */
export async function findDataset(db: AppDatabase, tenant: Tenant, id: string): Promise<DatasetRow | null> {
  const [row] = await db
    .select()
    .from(datasets)
    .where(and(datasetsOfTenant(tenant), eq(datasets.id, id)));
  return row ?? null;
}

/** The tenant's datasets with these ids in one statement, in the order of `ids` (null where absent). */
export async function findDatasets(
  db: AppDatabase,
  tenant: Tenant,
  ids: readonly string[],
): Promise<(DatasetRow | null)[]> {
  const rows = await db
    .select()
    .from(datasets)
    .where(and(datasetsOfTenant(tenant), inArray(datasets.id, [...ids])));
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id) ?? null);
}
