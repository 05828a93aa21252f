import { and, sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { webhooks, type WebhookRow } from '../db/schema';
import { statementCache } from '../db/statementCache';
import { ofTenant } from '../db/tenantScope';
import type { Page } from '../pagination/connection';
import { cursorEncoder } from '../pagination/cursor';
import { keysetClauses, keysetValues, pageFromRows, pageShapeKey, pageShapeOf } from '../pagination/keyset';
import { parsePageArgs, type PageArgs } from '../pagination/pageRequest';
import type { Tenant } from '../tenant';

/** One page of the tenant's webhooks, newest first. */
export async function listWebhooks(db: AppDatabase, tenant: Tenant, args: PageArgs): Promise<Page<WebhookRow>> {
  const request = parsePageArgs('webhook', tenant, args);
  const rows = await pageStatement(db, pageShapeOf(request)).execute({ ...tenant, ...keysetValues(request) });
  const encode = cursorEncoder('webhook', tenant);
  return pageFromRows(rows, request, (row) => encode({ time: row.createdAt, id: row.id }));
}

const pageStatement = statementCache(pageShapeKey, (db, shape) => {
  const keyset = keysetClauses({ time: webhooks.createdAt, id: webhooks.id, idType: 'text' }, shape);
  return db
    .select()
    .from(webhooks)
    .where(and(ofTenant(webhooks), ...keyset.conditions))
    .orderBy(...keyset.orderBy)
    .limit(sql.placeholder('limit'))
    .prepare(`webhooks_page_${pageShapeKey(shape)}`);
});
