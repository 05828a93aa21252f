import { and, eq, sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { batches, type BatchRow } from '../db/schema';
import { preparedStatement } from '../db/statementCache';
import { batchesOfTenant } from '../db/tenantScope';
import type { Tenant } from '../tenant';

/** The tenant's batch with this id, or null (another tenant's batch is as absent as a missing one). */
export async function findBatch(db: AppDatabase, tenant: Tenant, id: string): Promise<BatchRow | null> {
  const [row] = await findById(db).execute({ ...tenant, id });
  return row ?? null;
}

const findById = preparedStatement((db) =>
  db
    .select()
    .from(batches)
    .where(and(batchesOfTenant(), eq(batches.id, sql.placeholder('id'))))
    .prepare('find_batch'),
);
