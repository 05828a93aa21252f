import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { webhooks, type WebhookRow } from '../../db/schema';

/**
 * Takes up to `limit` enabled endpoints that have messages and whose backoff is
 * over, under a lease for `runnerId`: one deliverer at a time per endpoint keeps
 * its messages in order. An expired lease (a deliverer that died) is taken over.
 * Longest-waiting first (a release moves `next_attempt_at` to its time), so busy
 * endpoints take turns with the others.
 */
export async function claimEndpoints(
  db: AppDatabase,
  options: { runnerId: string; leaseMs: number; limit: number },
): Promise<WebhookRow[]> {
  if (options.limit <= 0) return [];
  return db
    .update(webhooks)
    .set({
      lockedBy: options.runnerId,
      lockedUntil: sql`now() + ${options.leaseMs} * interval '1 millisecond'`,
    })
    .where(
      sql`${webhooks.id} in (
        select w.id from webhooks w
        where w.enabled and w.next_attempt_at <= now()
          and (w.locked_until is null or w.locked_until < now())
          and exists (select 1 from webhook_messages m where m.webhook_id = w.id)
        order by w.next_attempt_at
        limit ${options.limit}
        for update skip locked)`,
    )
    .returning();
}
