import { and, eq, sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { webhooks } from '../../db/schema';

/**
 * Ends `runnerId`'s lease on the endpoint. Its turn moves to now, or `retryAfterMs`
 * later (unless a backoff put it later still), behind endpoints that have waited longer.
 */
export async function releaseEndpoint(db: AppDatabase, webhookId: string, runnerId: string, retryAfterMs = 0): Promise<void> {
  await db
    .update(webhooks)
    .set({
      lockedBy: null,
      lockedUntil: null,
      nextAttemptAt: sql`greatest(${webhooks.nextAttemptAt}, now() + ${retryAfterMs} * interval '1 millisecond')`,
    })
    .where(and(eq(webhooks.id, webhookId), eq(webhooks.lockedBy, runnerId)));
}
