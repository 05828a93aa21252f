/**
 * `Webhook.deliveries`: a webhook's delivery attempts, newest first, a page at
 * a time. Keyset on the identity `id` descending (`id < after`), served by the
 * (webhook_id, id) index: keyPage.ts's ascending walk, turned around. The
 * webhooks of one request that ask for the same page are read by one statement
 * (createWebhookDeliveriesLoader, one per request).
 */
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { webhookDeliveries, type WebhookDeliveryRow } from '../db/schema';
import type { Page } from '../pagination/connection';
import { keyCursorEncoder } from '../pagination/cursor';
import { keyPageFromRows, type KeyPageArgs, type KeyPageRequest } from '../pagination/keyPage';
import { createKeyPagesLoader, groupedBy } from '../pagination/keyPagesLoader';
import type { Tenant } from '../tenant';

/** `webhookId` must be a webhook of the request's tenant (the caller read it so); the cursor is bound to the tenant. */
export type WebhookDeliveriesLoader = (webhookId: string, args: KeyPageArgs) => Promise<Page<WebhookDeliveryRow>>;

export function createWebhookDeliveriesLoader(db: AppDatabase, tenant: Tenant): WebhookDeliveriesLoader {
  const pages = createKeyPagesLoader('delivery', tenant, (webhookIds, request) => readDeliveryPages(db, webhookIds, request));
  const encode = keyCursorEncoder('delivery', tenant);
  return async (webhookId, args) => {
    const { request, rows } = await pages(webhookId, args);
    return keyPageFromRows(rows, request, (row) => ({ cursor: encode(String(row.id)), node: row }));
  };
}

/** The page `request` of each webhook: one index seek per webhook, each a lateral subquery that stops after the page. */
async function readDeliveryPages(db: AppDatabase, webhookIds: readonly string[], request: KeyPageRequest) {
  const page = db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.webhookId, sql`asked.id`),
        request.after === null ? undefined : lt(webhookDeliveries.id, Number(request.after)),
      ),
    )
    .orderBy(desc(webhookDeliveries.id))
    .limit(request.limit + 1)
    .as('page');
  const rows = await db
    .select()
    .from(sql`unnest(${sql.param([...webhookIds])}::text[]) with ordinality as asked(id, position)`)
    .crossJoinLateral(page)
    .orderBy(sql`asked.position`, desc(page.id));
  return groupedBy(
    rows.map((row) => row.page),
    (delivery) => delivery.webhookId,
  );
}
