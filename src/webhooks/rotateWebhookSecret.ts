import { and, eq } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { webhooks } from '../db/schema';
import { ofTenant } from '../db/tenantScope';
import { notFound } from '../errors';
import type { Tenant } from '../tenant';
import type { CreatedWebhook } from './createWebhook';
import { changeWebhook } from './webhookChanged';
import { couldBeWebhookId } from './webhookId';
import { newWebhookSecret } from './webhookSecret';

/**
 * Gives the tenant's webhook a new signing secret. Requests are signed with it
 * from the next, once the deliverer sending to the webhook hears of it
 * (webhookChanged.ts; missed, the rest of that claim is not); the one on its way
 * carries the old signature. NOT_FOUND when the tenant has no webhook with this id.
 */
export async function rotateWebhookSecret(db: AppDatabase, tenant: Tenant, id: string): Promise<CreatedWebhook> {
  const secret = newWebhookSecret();
  const webhook = couldBeWebhookId(id)
    ? await changeWebhook(db, (tx) =>
        tx
          .update(webhooks)
          .set({ secret })
          .where(and(ofTenant(webhooks, tenant), eq(webhooks.id, id)))
          .returning(),
      )
    : undefined;
  if (!webhook) throw notFound(`Webhook ${JSON.stringify(id)} does not exist`);
  return { webhook, secret };
}
