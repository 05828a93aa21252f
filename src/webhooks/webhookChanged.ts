/**
 * Deleting a webhook or rotating its secret is announced on a channel, so that a
 * deliverer sending that endpoint a claim's messages (up to MESSAGES_PER_CLAIM)
 * stops after the request on its way instead of going on with the old row (the
 * deleted endpoint's URL, the old secret) until its next lease renewal. The next
 * claim reads the row afresh.
 */
import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';

/** Payload: the webhook's id. */
export const WEBHOOK_CHANGED_CHANNEL = 'gw_webhook_changed';

/**
 * Runs `change` (a delete or update `returning` the webhook's row, or none) in a
 * transaction that announces it: heard once it commits, not if it rolls back.
 * The changed row, or undefined when there was none.
 */
export async function changeWebhook<Row extends { id: string }>(
  db: AppDatabase,
  change: (tx: AppDatabase) => Promise<Row[]>,
): Promise<Row | undefined> {
  return db.transaction(async (tx) => {
    const [row] = await change(tx);
    if (row) await tx.execute(sql`select pg_notify(${WEBHOOK_CHANGED_CHANNEL}, ${row.id})`);
    return row;
  });
}
