/**
 * `Webhook.deliveries`: a webhook's delivery attempts, newest first, a page at
 * a time. Keyset on the identity `id` descending (`id < after`), served by the
 * (webhook_id, id) index: keyPage.ts's ascending walk, turned around.
 */
import { and, desc, eq, lt } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { webhookDeliveries, type WebhookDeliveryRow } from '../db/schema';
import type { Page } from '../pagination/connection';
import { keyCursorEncoder } from '../pagination/cursor';
import { keyPageFromRows, parseKeyPageArgs, type KeyPageArgs } from '../pagination/keyPage';
import type { Tenant } from '../tenant';

/** `webhookId` must be a webhook of `tenant` (the caller read it so); the cursor is bound to the tenant. */
export async function listWebhookDeliveries(
  db: AppDatabase,
  tenant: Tenant,
  webhookId: string,
  args: KeyPageArgs,
): Promise<Page<WebhookDeliveryRow>> {
  const request = parseKeyPageArgs('delivery', tenant, args);
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.webhookId, webhookId),
        request.after === null ? undefined : lt(webhookDeliveries.id, Number(request.after)),
      ),
    )
    .orderBy(desc(webhookDeliveries.id))
    .limit(request.limit + 1);
  const encode = keyCursorEncoder('delivery', tenant);
  return keyPageFromRows(rows, request, (row) => ({ cursor: encode(String(row.id)), node: row }));
}
