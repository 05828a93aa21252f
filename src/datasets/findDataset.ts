import { and, eq, sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { inRequestedOrder } from '../db/inRequestedOrder';
import { datasets, type DatasetRow } from '../db/schema';
import { preparedStatement } from '../db/statementCache';
import { datasetsOfTenant } from '../db/tenantScope';
import { couldBeStoredKey } from '../profiles/storable';
import type { Tenant } from '../tenant';

/** The tenant's dataset with this id, or null. */
export async function findDataset(db: AppDatabase, tenant: Tenant, id: string): Promise<DatasetRow | null> {
  if (!couldBeStoredKey(id)) return null;
  const [row] = await findOne(db).execute({ ...tenant, id });
  return row ?? null;
}

/** The tenant's datasets with these ids in one statement, in the order of `ids` (null where absent). */
export async function findDatasets(
  db: AppDatabase,
  tenant: Tenant,
  ids: readonly string[],
): Promise<(DatasetRow | null)[]> {
  // An id PostgreSQL could not even compare (a NUL) names no dataset.
  const storable = ids.filter(couldBeStoredKey);
  const rows = storable.length ? await findMany(db).execute({ ...tenant, ids: storable }) : [];
  return inRequestedOrder(ids, rows, (row) => row.id);
}

const findOne = preparedStatement((db) =>
  db
    .select()
    .from(datasets)
    .where(and(datasetsOfTenant(), eq(datasets.id, sql.placeholder('id'))))
    .prepare('find_dataset'),
);

// `= any($ids)`: one statement whatever the number of ids, where `in (…)` would be a new one per count.
const findMany = preparedStatement((db) =>
  db
    .select()
    .from(datasets)
    .where(and(datasetsOfTenant(), sql`${datasets.id} = any(${sql.placeholder('ids')})`))
    .prepare('find_datasets'),
);
