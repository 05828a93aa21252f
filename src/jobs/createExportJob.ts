import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { exportJobs, type ExportJobRow } from '../db/schema';
import { findDataset } from '../datasets/findDataset';
import { badUserInput } from '../errors';
import { keyProblem, MAX_KEY_LENGTH } from '../profiles/storable';
import type { CreateExportJobInput } from './exportJobInput';
import type { Tenant } from '../tenant';
import { jobsOfTenant } from '../db/tenantScope';
import { activeTraceParent } from '../tracing/jobTraceParent';
import { checkJobQuotas, lockTenantQuotas, type JobQuotas } from './jobQuotas';
import { mergePolicyOfSegments } from './mergePolicyOfSegments';
import { validateExportJobInput } from './validateExportJobInput';

export interface RequestMeta {
  requestId: string;
  bearerToken: string | null;
  /** The verified caller's `sub`, if callers are verified. */
  subject: string | null;
}

/**
 * Creates a job in status NEW, within the tenant's quotas (LIMIT_EXCEEDED
 * otherwise). A repeated `idempotencyKey` returns the job it first created and
 * writes nothing, also when two requests race; `created` tells the two apart.
 * Without `mergePolicy`, the job takes its first segment's definition's
 * (`mergePolicyOfSegments`), else the default.
 */
export async function createExportJob(
  db: AppDatabase,
  tenant: Tenant,
  input: CreateExportJobInput,
  meta: RequestMeta,
  quotas: JobQuotas,
): Promise<{ job: ExportJobRow; created: boolean }> {
  const idempotencyKey = checkIdempotencyKey(input.idempotencyKey);
  // Before the input's checks: a retry gets the job it created even under rules made since.
  if (idempotencyKey !== null) {
    const first = await findByIdempotencyKey(db, tenant, idempotencyKey);
    if (first) return { job: first, created: false };
  }
  const spec = validateExportJobInput(input);
  if (!(await findDataset(db, tenant, spec.datasetId))) {
    throw badUserInput('destination.datasetId', `Dataset ${JSON.stringify(spec.datasetId)} does not exist`);
  }
  if (!input.mergePolicy && spec.filter.segments) {
    spec.mergePolicyId = (await mergePolicyOfSegments(db, tenant, spec.filter.segments)) ?? spec.mergePolicyId;
  }
  return db.transaction(async (tx) => {
    // Every creation of the tenant takes this lock: behind it, a request with the same key
    // that came first has committed, and its job is the answer, whatever the quotas (which
    // that very job may have filled) say now. So the insert below meets no such key.
    await lockTenantQuotas(tx, tenant);
    const first = idempotencyKey === null ? undefined : await findByIdempotencyKey(tx, tenant, idempotencyKey);
    if (first) return { job: first, created: false };
    await checkJobQuotas(tx, tenant, quotas);
    const [row] = await tx
      .insert(exportJobs)
      .values({
        ...tenant,
        ...spec,
        requestId: meta.requestId,
        idempotencyKey,
        createdByTokenSha256: meta.bearerToken ? createHash('sha256').update(meta.bearerToken).digest('hex') : null,
        createdBy: meta.subject,
        // The runs of the job continue this request's trace.
        traceParent: activeTraceParent(),
      })
      .returning();
    if (!row) throw new Error('Insert of an export job returned no row');
    return { job: row, created: true };
  });
}

/** The key as given (compared exactly, never trimmed), or null without one. */
function checkIdempotencyKey(key: string | null | undefined): string | null {
  if (key === null || key === undefined) return null;
  if (key === '') throw badUserInput('idempotencyKey', `\`idempotencyKey\` must have 1 to ${MAX_KEY_LENGTH} characters`);
  const problem = keyProblem(key);
  if (problem) throw badUserInput('idempotencyKey', `\`idempotencyKey\` ${problem}`);
  return key;
}

async function findByIdempotencyKey(db: AppDatabase, tenant: Tenant, key: string): Promise<ExportJobRow | undefined> {
  const [row] = await db
    .select()
    .from(exportJobs)
    .where(and(jobsOfTenant(tenant), eq(exportJobs.idempotencyKey, key)));
  return row;
}
