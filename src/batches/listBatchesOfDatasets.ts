import { and, eq, sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { batches, type BatchRow } from '../db/schema';
import { statementCache } from '../db/statementCache';
import { batchesOfTenant } from '../db/tenantScope';
import type { Page } from '../pagination/connection';
import { cursorEncoder } from '../pagination/cursor';
import { keysetClauses, keysetValues, pageFromRows, pageShapeKey, pageShapeOf } from '../pagination/keyset';
import type { PageRequest } from '../pagination/pageRequest';
import type { Tenant } from '../tenant';

/**
 * The same page (`request`) of the batches written into each of the tenant's
 * datasets `datasetIds`, newest first, in the order of `datasetIds`: one
 * statement however many datasets, each page served by the index (org, sandbox,
 * dataset, createdAt, id). A dataset of another tenant, or none, has an empty page.
 */
export async function listBatchesOfDatasets(
  db: AppDatabase,
  tenant: Tenant,
  datasetIds: readonly string[],
  request: PageRequest,
): Promise<Page<BatchRow>[]> {
  const rows = await pagesStatement(db, pageShapeOf(request)).execute({
    ...tenant,
    datasetIds: [...datasetIds],
    ...keysetValues(request),
  });
  // Rows arrive grouped by dataset, each group in the order of its page.
  const rowsByDataset = new Map<string, BatchRow[]>(datasetIds.map((id) => [id, []]));
  for (const { page: batch } of rows) rowsByDataset.get(batch.datasetId)?.push(batch);
  const encode = cursorEncoder('batch', tenant);
  return datasetIds.map((id) =>
    pageFromRows(rowsByDataset.get(id) ?? [], request, (row) => encode({ time: row.createdAt, id: row.id })),
  );
}

// One page per dataset id, each a lateral subquery: PostgreSQL cannot flatten a
// subquery with a limit, so each stays an index seek that stops after `limit` rows,
// where `dataset_id = any(…)` with a window function would read every batch of
// every dataset. `with ordinality` keeps the datasets in the order they were asked for.
const pagesStatement = statementCache(pageShapeKey, (db, shape) => {
  const keyset = keysetClauses({ time: batches.createdAt, id: batches.id, idType: 'text' }, shape);
  const page = db
    .select()
    .from(batches)
    .where(and(batchesOfTenant(), eq(batches.datasetId, sql`asked.id`), ...keyset.conditions))
    .orderBy(...keyset.orderBy)
    .limit(sql.placeholder('limit'))
    .as('page');
  const pageOrder = keysetClauses({ time: page.createdAt, id: page.id, idType: 'text' }, shape).orderBy;
  return db
    .select()
    .from(sql`unnest(${sql.placeholder('datasetIds')}::text[]) with ordinality as asked(id, position)`)
    .crossJoinLateral(page)
    .orderBy(sql`asked.position`, ...pageOrder)
    .prepare(`datasets_batches_pages_${pageShapeKey(shape)}`);
});
