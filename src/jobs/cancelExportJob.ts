import { and, eq, inArray, sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { exportJobs, type ExportJobRow } from '../db/schema';
import { conflict, notFound } from '../errors';
import type { Tenant } from '../tenant';
import { findExportJob } from './findExportJob';
import { parseJobId } from './jobId';
import { jobsOfTenant } from '../db/tenantScope';

export const CANCEL_MESSAGE = 'Export job has been marked for cancelling';

export interface CancelOutcome {
  status: boolean;
  message: string;
  job: ExportJobRow;
}

/**
 * NEW → CANCELLED at once; PROCESSING → CANCELLING (the runner finishes the
 * cancellation); CANCELLING and CANCELLED answer the same again. One guarded
 * UPDATE decides, so a job claimed by a runner meanwhile is never cancelled twice.
 */
export async function cancelExportJob(
  db: AppDatabase,
  tenant: Tenant,
  id: string,
  cancelledBy: string | null,
): Promise<CancelOutcome> {
  const jobId = parseJobId(id);
  if (jobId === null) throw notFound(`Export job ${JSON.stringify(id)} does not exist`);
  const [updated] = await db
    .update(exportJobs)
    .set({
      status: sql`case when ${exportJobs.status} = 'NEW' then 'CANCELLED' else 'CANCELLING' end`,
      finishedAt: sql`case when ${exportJobs.status} = 'NEW' then now() else ${exportJobs.finishedAt} end`,
      cancelledBy,
      updateTime: sql`now()`,
    })
    .where(and(jobsOfTenant(tenant), eq(exportJobs.id, jobId), inArray(exportJobs.status, ['NEW', 'PROCESSING'])))
    .returning();
  const job = updated ?? (await findExportJob(db, tenant, id));
  if (!job) throw notFound(`Export job ${JSON.stringify(id)} does not exist`);
  if (job.status === 'SUCCEEDED' || job.status === 'FAILED') {
    throw conflict(`Export job ${id} has already finished (${job.status}) and cannot be cancelled`);
  }
  return { status: true, message: CANCEL_MESSAGE, job };
}
