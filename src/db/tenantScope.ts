import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Tenant } from '../tenant';
import { datasets, exportJobs } from './schema';

/**
 * The condition every export job query starts from. Without a tenant it is
 * written on the placeholders `orgId` and `sandboxName`, for prepared statements.
 */
export function jobsOfTenant(tenant?: Tenant): SQL {
  return and(
    eq(exportJobs.orgId, tenant?.orgId ?? sql.placeholder('orgId')),
    eq(exportJobs.sandboxName, tenant?.sandboxName ?? sql.placeholder('sandboxName')),
  )!;
}

/** The condition every dataset query starts from (placeholders without a tenant, as above). */
export function datasetsOfTenant(tenant?: Tenant): SQL {
  return and(
    eq(datasets.orgId, tenant?.orgId ?? sql.placeholder('orgId')),
    eq(datasets.sandboxName, tenant?.sandboxName ?? sql.placeholder('sandboxName')),
  )!;
}
