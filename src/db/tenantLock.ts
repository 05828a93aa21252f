/**
 * The transaction-scoped advisory lock of one tenant in one lock space (two-key form:
 * space, tenant hash): what every per-tenant turn-taking uses — quota checks, webhook and
 * segment-definition creations, and the event trigger of migration 0019
 * (`hashtext(org_id || E'\n' || sandbox_name)`), whose key this must stay.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { AppDatabase } from './database';
import type { Tenant } from '../tenant';

/** The tenant's key: values, or SQL of columns (`org_id`, `sandbox_name`) to read it from a row. */
export function tenantLockKey(orgId: string | SQL, sandboxName: string | SQL): SQL {
  return sql`hashtext(${orgId} || E'\\n' || ${sandboxName})`;
}

/** Waits, in transaction `tx`, for the tenant's lock in `space`; held until the transaction ends. */
export async function lockTenant(tx: Pick<AppDatabase, 'execute'>, space: number, tenant: Tenant): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${space}, ${tenantLockKey(tenant.orgId, tenant.sandboxName)})`);
}
