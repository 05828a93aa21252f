import { and, eq, sql, type SQL } from 'drizzle-orm';
import { batches } from '../db/schema';
import type { Tenant } from '../tenant';

/**
 * The condition every batch query starts from, like those of `db/tenantScope.ts`:
 * written on the placeholders `orgId` and `sandboxName` without a tenant. Records
 * carry no tenant: they are reached only through a batch read with this condition.
 */
export function batchesOfTenant(tenant?: Tenant): SQL {
  return and(
    eq(batches.orgId, tenant?.orgId ?? sql.placeholder('orgId')),
    eq(batches.sandboxName, tenant?.sandboxName ?? sql.placeholder('sandboxName')),
  )!;
}
