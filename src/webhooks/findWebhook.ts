import { and, eq } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { webhooks, type WebhookRow } from '../db/schema';
import { ofTenant } from '../db/tenantScope';
import type { Tenant } from '../tenant';
import { couldBeWebhookId } from './webhookId';

/** The tenant's webhook with this id, or null (another tenant's is null too). */
export async function findWebhook(db: AppDatabase, tenant: Tenant, id: string): Promise<WebhookRow | null> {
  if (!couldBeWebhookId(id)) return null;
  const [row] = await db
    .select()
    .from(webhooks)
    .where(and(ofTenant(webhooks, tenant), eq(webhooks.id, id)));
  return row ?? null;
}
