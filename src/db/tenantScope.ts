import { and, eq, type SQL } from 'drizzle-orm';
import { datasets, exportJobs } from './schema';
import type { Tenant } from '../tenant';

/** The condition every export job query starts from. */
export function jobsOfTenant(tenant: Tenant): SQL {
  return and(eq(exportJobs.orgId, tenant.orgId), eq(exportJobs.sandboxName, tenant.sandboxName))!;
}

/** The condition every dataset query starts from. */
export function datasetsOfTenant(tenant: Tenant): SQL {
  return and(eq(datasets.orgId, tenant.orgId), eq(datasets.sandboxName, tenant.sandboxName))!;
}
