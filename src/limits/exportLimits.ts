import type { AppDatabase } from '../db/database';
import { jobUsage } from '../jobs/jobQuotas';
import type { Tenant } from '../tenant';
import type { LimitOptions } from './limitOptions';

/** What `exportLimits` answers: the tenant's quotas with their use, and the bounds on every request. */
export async function exportLimitsOf(db: AppDatabase, tenant: Tenant, limits: LimitOptions) {
  const usage = await jobUsage(db, tenant);
  const usageOf = (max: number, used: number) => ({ max, used, remaining: Math.max(0, max - used) });
  return {
    jobsPerDay: usageOf(limits.jobsPerDay, usage.createdToday),
    queuedJobs: usageOf(limits.queuedJobs, usage.queued),
    requestsPerSecond: limits.requestsPerSecond,
    subscriptionsPerConnection: limits.wsSubscriptions,
    request: {
      maxDepth: limits.queryDepth,
      maxAliases: limits.queryAliases,
      maxTokens: limits.queryTokens,
      maxDirectives: limits.queryDirectives,
      maxCost: limits.queryCost,
      maxBodyBytes: limits.bodyBytes,
      maxBatchOperations: limits.batchOperations,
      maxVariablesBytes: limits.variablesBytes,
    },
  };
}
