/**
 * The lock the event trigger takes for a tenant's events (migrations 0015 and 0019:
 * `pg_advisory_xact_lock(727006, hashtext(org_id || E'\n' || sandbox_name))`) before
 * it queues each of the tenant's webhooks a message. A change that removes a webhook
 * from that queueing (deleting it, disabling it) takes the same lock first: a job
 * change then either committed its messages before (and the removal takes them away)
 * or queues after it (and no longer sees the webhook). Without it, a job change that
 * saw the webhook still there failed once the delete committed (its message's foreign
 * key, 23503), failing an export, or queued a message for a disabled webhook that no
 * deliverer would ever send and that kept its event from being pruned.
 */
import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { lockTenant, tenantLockKey } from '../db/tenantLock';
import type { Tenant } from '../tenant';

const TENANT_EVENTS_LOCK_SPACE = 727006;

/** Waits, in transaction `tx`, for the tenant's event writers; they wait for `tx` from then on. */
export async function lockTenantEvents(tx: AppDatabase, tenant: Tenant): Promise<void> {
  await lockTenant(tx, TENANT_EVENTS_LOCK_SPACE, tenant);
}

/**
 * The same for the tenant of webhook `webhookId` (nothing if there is none). Taken before
 * any lock on the webhook's row: deleteWebhook takes them in that order too.
 */
export async function lockTenantEventsOfWebhook(tx: AppDatabase, webhookId: string): Promise<void> {
  const key = tenantLockKey(sql`org_id`, sql`sandbox_name`);
  await tx.execute(sql`select pg_advisory_xact_lock(${TENANT_EVENTS_LOCK_SPACE}, ${key}) from webhooks where id = ${webhookId}`);
}
