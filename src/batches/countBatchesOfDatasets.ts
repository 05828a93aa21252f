import { and, count, sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { batches } from '../db/schema';
import { preparedStatement } from '../db/statementCache';
import { batchesOfTenant } from '../db/tenantScope';
import type { Tenant } from '../tenant';

/**
 * How many batches were written into each of the tenant's datasets `datasetIds`,
 * in their order, in one statement (0 for a dataset of another tenant, or none).
 */
export async function countBatchesOfDatasets(
  db: AppDatabase,
  tenant: Tenant,
  datasetIds: readonly string[],
): Promise<number[]> {
  const rows = await countStatement(db).execute({ ...tenant, datasetIds: [...datasetIds] });
  const totals = new Map(rows.map((row) => [row.datasetId, row.total]));
  return datasetIds.map((id) => totals.get(id) ?? 0);
}

// `= any($ids)`: one statement whatever the number of ids, where `in (…)` would be a
// new one per count; each dataset's count reads its range of the page index.
const countStatement = preparedStatement((db) =>
  db
    .select({ datasetId: batches.datasetId, total: count() })
    .from(batches)
    .where(and(batchesOfTenant(), sql`${batches.datasetId} = any(${sql.placeholder('datasetIds')})`))
    .groupBy(batches.datasetId)
    .prepare('datasets_batches_count'),
);
