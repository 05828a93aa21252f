import { and, eq } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { webhooks } from '../db/schema';
import { ofTenant } from '../db/tenantScope';
import { notFound } from '../errors';
import type { Tenant } from '../tenant';
import { couldBeWebhookId } from './webhookId';

/**
 * Deletes the tenant's webhook; its undelivered messages and its deliveries go
 * with it (foreign keys, on delete cascade). NOT_FOUND when the tenant has none
 * with this id. Returns the id.
 */
export async function deleteWebhook(db: AppDatabase, tenant: Tenant, id: string): Promise<string> {
  const [row] = couldBeWebhookId(id)
    ? await db
        .delete(webhooks)
        .where(and(ofTenant(webhooks, tenant), eq(webhooks.id, id)))
        .returning({ id: webhooks.id })
    : [];
  if (!row) throw notFound(`Webhook ${JSON.stringify(id)} does not exist`);
  return row.id;
}
