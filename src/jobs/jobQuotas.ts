/**
 * A tenant's quotas of jobs (LIMIT_JOBS_PER_DAY, LIMIT_QUEUED_JOBS): what it
 * may create in 24 hours and have waiting as NEW at once, and what it uses.
 */
import { and, count, eq, gt, sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { exportJobs } from '../db/schema';
import { jobsOfTenant } from '../db/tenantScope';
import { ErrorCode, GatewayError } from '../errors';
import { lockTenant } from '../db/tenantLock';
import type { Tenant } from '../tenant';

export interface JobQuotas {
  jobsPerDay: number;
  queuedJobs: number;
}

export interface JobUsage {
  /** Jobs created in the last 24 hours. */
  createdToday: number;
  /** Jobs waiting as NEW. */
  queued: number;
}

export async function jobUsage(db: Pick<AppDatabase, 'select'>, tenant: Tenant): Promise<JobUsage> {
  const [[today], [queued]] = await Promise.all([
    db
      .select({ n: count() })
      .from(exportJobs)
      .where(and(jobsOfTenant(tenant), gt(exportJobs.creationTime, sql`now() - interval '1 day'`))),
    db
      .select({ n: count() })
      .from(exportJobs)
      .where(and(jobsOfTenant(tenant), eq(exportJobs.status, 'NEW'))),
  ]);
  return { createdToday: today?.n ?? 0, queued: queued?.n ?? 0 };
}

/**
 * Throws LIMIT_EXCEEDED when `tenant` may not create another job now. Run it in
 * the creating transaction after `lockTenantQuotas`, so two creations cannot
 * both take the last place.
 */
export async function checkJobQuotas(db: Pick<AppDatabase, 'select'>, tenant: Tenant, quotas: JobQuotas): Promise<void> {
  const usage = await jobUsage(db, tenant);
  if (usage.createdToday >= quotas.jobsPerDay) {
    const message = `The tenant has created ${usage.createdToday} jobs in the last 24 hours; its limit is ${quotas.jobsPerDay}`;
    throw new GatewayError(ErrorCode.LIMIT_EXCEEDED, message, {
      quota: 'jobsPerDay',
    });
  }
  if (usage.queued >= quotas.queuedJobs) {
    throw new GatewayError(ErrorCode.LIMIT_EXCEEDED, `The tenant has ${usage.queued} jobs waiting as NEW; its limit is ${quotas.queuedJobs}`, {
      quota: 'queuedJobs',
    });
  }
}

/** Takes turns among the creations of one tenant until the transaction ends. */
export async function lockTenantQuotas(db: Pick<AppDatabase, 'execute'>, tenant: Tenant): Promise<void> {
  await lockTenant(db, QUOTA_LOCK_SPACE, tenant);
}

// Arbitrary constant: the advisory-lock space of quota checks (two-key form: space, tenant hash).
const QUOTA_LOCK_SPACE = 727_003;
