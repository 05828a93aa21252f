import { and, eq, sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { exportJobs, type ExportJobRow } from '../db/schema';
import { statusIn, statusLiteral } from '../db/statuses';
import { conflict, notFound } from '../errors';
import type { Tenant } from '../tenant';
import { findExportJob } from './findExportJob';
import { parseJobId } from './jobId';
import { jobsOfTenant } from '../db/tenantScope';
import { EXPORT_JOB_MOVES } from './jobTransitions';

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
  const { cancelWaiting, cancelRunning } = EXPORT_JOB_MOVES;
  const waiting = statusIn(exportJobs.status, cancelWaiting.from);
  const [updated] = await db
    .update(exportJobs)
    .set({
      status: sql`case when ${waiting} then ${statusLiteral(cancelWaiting.to)} else ${statusLiteral(cancelRunning.to)} end`,
      finishedAt: sql`case when ${waiting} then now() else ${exportJobs.finishedAt} end`,
      cancelledBy,
      updateTime: sql`now()`,
    })
    .where(and(jobsOfTenant(tenant), eq(exportJobs.id, jobId), statusIn(exportJobs.status, [...cancelWaiting.from, ...cancelRunning.from])))
    .returning();
  const job = updated ?? (await findExportJob(db, tenant, id));
  if (!job) throw notFound(`Export job ${JSON.stringify(id)} does not exist`);
  if (job.status === 'SUCCEEDED' || job.status === 'FAILED') {
    throw conflict(`Export job ${id} has already finished (${job.status}) and cannot be cancelled`);
  }
  return { status: true, message: CANCEL_MESSAGE, job };
}
