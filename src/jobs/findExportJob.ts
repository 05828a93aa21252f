import { and, eq, sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/createDb';
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

const findById = preparedStatement((db) =>
  db
    .select()
    .from(exportJobs)
    .where(and(jobsOfTenant(), eq(exportJobs.id, sql.placeholder('id'))))
    .prepare('find_export_job'),
);
