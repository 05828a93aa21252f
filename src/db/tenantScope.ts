import { and, eq, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Tenant } from '../tenant';
import { batches, datasets, exportJobs } from './schema';

/** Any table that belongs to tenants: it has the two columns that name one. */
interface TenantTable {
  orgId: AnyColumn;
  sandboxName: AnyColumn;
}

/**
 * The condition every query of a tenant's rows starts from. Without a tenant it
 * is written on the placeholders `orgId` and `sandboxName`, for prepared statements.
 */
export function ofTenant(table: TenantTable, tenant?: Tenant): SQL {
  return and(
    eq(table.orgId, tenant?.orgId ?? sql.placeholder('orgId')),
    eq(table.sandboxName, tenant?.sandboxName ?? sql.placeholder('sandboxName')),
  )!;
}

export const jobsOfTenant = (tenant?: Tenant): SQL => ofTenant(exportJobs, tenant);

export const datasetsOfTenant = (tenant?: Tenant): SQL => ofTenant(datasets, tenant);

/** Records carry no tenant: they are reached only through a batch read with this condition. */
export const batchesOfTenant = (tenant?: Tenant): SQL => ofTenant(batches, tenant);
