import { and, eq } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { webhooks } from '../db/schema';
import { ofTenant } from '../db/tenantScope';
import { notFound } from '../errors';
import type { Tenant } from '../tenant';
import type { CreatedWebhook } from './createWebhook';
import { couldBeWebhookId } from './webhookId';
import { newWebhookSecret } from './webhookSecret';

/**
 * Gives the tenant's webhook a new signing secret. Deliveries claimed from now
 * on are signed with it; one already on its way (at most a claim's batch, see
 * deliverToEndpoint) may still carry the old signature. NOT_FOUND when the
 * tenant has no webhook with this id.
 */
export async function rotateWebhookSecret(db: AppDatabase, tenant: Tenant, id: string): Promise<CreatedWebhook> {
  const secret = newWebhookSecret();
  const [webhook] = couldBeWebhookId(id)
    ? await db
        .update(webhooks)
        .set({ secret })
        .where(and(ofTenant(webhooks, tenant), eq(webhooks.id, id)))
        .returning()
    : [];
  if (!webhook) throw notFound(`Webhook ${JSON.stringify(id)} does not exist`);
  return { webhook, secret };
}
