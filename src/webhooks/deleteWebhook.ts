import { and, eq } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { webhooks } from '../db/schema';
import { ofTenant } from '../db/tenantScope';
import { notFound } from '../errors';
import type { Tenant } from '../tenant';
import { lockTenantEvents } from './tenantEventLock';
import { changeWebhook } from './webhookChanged';
import { couldBeWebhookId } from './webhookId';

/**
 * Deletes the tenant's webhook; its undelivered messages and its deliveries go
 * with it (foreign keys, on delete cascade), after the tenant's job changes in
 * flight have queued theirs (tenantEventLock.ts). NOT_FOUND when the tenant has none
 * with this id. Returns the id. A deliverer sending to it stops after its request
 * on the way (webhookChanged.ts).
 */
export async function deleteWebhook(db: AppDatabase, tenant: Tenant, id: string): Promise<string> {
  const deleted = couldBeWebhookId(id)
    ? await changeWebhook(db, async (tx) => {
        await lockTenantEvents(tx, tenant);
        return tx
          .delete(webhooks)
          .where(and(ofTenant(webhooks, tenant), eq(webhooks.id, id)))
          .returning({ id: webhooks.id });
      })
    : undefined;
  if (!deleted) throw notFound(`Webhook ${JSON.stringify(id)} does not exist`);
  return deleted.id;
}
