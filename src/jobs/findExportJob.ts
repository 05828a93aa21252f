import { and, eq } from 'drizzle-orm';
import type { AppDatabase } from '../db/createDb';
import { exportJobs, type ExportJobRow } from '../db/schema';
import type { Tenant } from '../tenant';
import { parseJobId } from './jobId';
import { jobsOfTenant } from '../db/tenantScope';

/** The tenant's job with this id, or null (another tenant's job is as absent as a missing one). */
export async function findExportJob(db: AppDatabase, tenant: Tenant, id: string): Promise<ExportJobRow | null> {
  const jobId = parseJobId(id);
  if (jobId === null) return null;
  const [row] = await db
    .select()
    .from(exportJobs)
    .where(and(jobsOfTenant(tenant), eq(exportJobs.id, jobId)));
  return row ?? null;
}
