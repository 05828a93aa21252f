import { and, eq, sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { inRequestedOrder } from '../db/inRequestedOrder';
import { exportJobs, type ExportJobRow } from '../db/schema';
import { preparedStatement } from '../db/statementCache';
import { jobsOfTenant } from '../db/tenantScope';
import type { Tenant } from '../tenant';
import { parseJobId } from './jobId';

/** The tenant's job with this id, or null (another tenant's job is as absent as a missing one). */
export async function findExportJob(db: AppDatabase, tenant: Tenant, id: string): Promise<ExportJobRow | null> {
  const jobId = parseJobId(id);
  if (jobId === null) return null;
  const [row] = await findById(db).execute({ ...tenant, id: jobId });
  return row ?? null;
}

/** The tenant's jobs with these ids in one statement, in the order of `ids` (null where absent or malformed). */
export async function findExportJobs(
  db: AppDatabase,
  tenant: Tenant,
  ids: readonly string[],
): Promise<(ExportJobRow | null)[]> {
  const jobIds = ids.map(parseJobId).filter((id): id is number => id !== null);
  const rows = jobIds.length ? await findByIds(db).execute({ ...tenant, ids: jobIds }) : [];
  return inRequestedOrder(ids, rows, (row) => String(row.id));
}

const findById = preparedStatement((db) =>
  db
    .select()
    .from(exportJobs)
    .where(and(jobsOfTenant(), eq(exportJobs.id, sql.placeholder('id'))))
    .prepare('find_export_job'),
);

// `= any($ids)`: one statement whatever the number of ids.
const findByIds = preparedStatement((db) =>
  db
    .select()
    .from(exportJobs)
    .where(and(jobsOfTenant(), sql`${exportJobs.id} = any(${sql.placeholder('ids')})`))
    .prepare('find_export_jobs'),
);
