/**
 * `createWebhook`: a new endpoint of the tenant, within LIMIT_WEBHOOKS, whose
 * URL passed the SSRF check (`checkWebhookHost`). From the next event on, the outbox trigger
 * (migration 0012) queues the tenant's events for it. A tenant at its limit is refused
 * before the check's DNS lookup, which would otherwise be free to ask for at any rate.
 */
import { count } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { webhooks, type WebhookRow } from '../db/schema';
import { ofTenant } from '../db/tenantScope';
import { ErrorCode, GatewayError } from '../errors';
import type { Tenant } from '../tenant';
import { checkWebhookHost } from './checkWebhookHost';
import { validateWebhookInput, type CreateWebhookInput } from './validateWebhookInput';
import { newWebhookId } from './webhookId';
import { newWebhookSecret } from './webhookSecret';
import { webhookResolverFor } from './webhookResolver';
import type { WebhookOptions } from './webhookOptions';
import { lockTenant } from '../db/tenantLock';

/** What `createWebhook` and `rotateWebhookSecret` answer: the secret is shown only here. */
export interface CreatedWebhook {
  webhook: WebhookRow;
  secret: string;
}

export async function createWebhook(
  db: AppDatabase,
  tenant: Tenant,
  input: CreateWebhookInput,
  options: Pick<WebhookOptions, 'allowPrivate' | 'maxPerTenant' | 'dnsServers'>,
  createdBy: string | null,
): Promise<CreatedWebhook> {
  const spec = validateWebhookInput(input, options.allowPrivate);
  await refuseAtLimit(db, tenant, options.maxPerTenant);
  await checkWebhookHost(spec.url, options.allowPrivate, webhookResolverFor(options.dnsServers));
  const secret = newWebhookSecret();
  const webhook = await db.transaction(async (tx) => {
    // Creations of one tenant take turns, so two cannot both take the last place.
    await lockTenant(tx, WEBHOOK_LOCK_SPACE, tenant);
    // Again under the lock: the first look, before DNS, was taken without it.
    await refuseAtLimit(tx, tenant, options.maxPerTenant);
    const [row] = await tx
      .insert(webhooks)
      .values({
        id: newWebhookId(),
        ...tenant,
        url: spec.url.href,
        events: spec.events,
        statuses: spec.statuses,
        description: spec.description,
        secret,
        createdBy,
      })
      .returning();
    if (!row) throw new Error('Insert of a webhook returned no row');
    return row;
  });
  return { webhook, secret };
}

async function refuseAtLimit(db: AppDatabase, tenant: Tenant, maxPerTenant: number): Promise<void> {
  const [existing] = await db.select({ n: count() }).from(webhooks).where(ofTenant(webhooks, tenant));
  if ((existing?.n ?? 0) >= maxPerTenant) {
    throw new GatewayError(ErrorCode.LIMIT_EXCEEDED, `The tenant has ${maxPerTenant} webhooks, its limit`, { quota: 'webhooks' });
  }
}

// Arbitrary constant: the advisory-lock space of webhook creations (two-key form: space, tenant hash).
const WEBHOOK_LOCK_SPACE = 727_004;
