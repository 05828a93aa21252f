import { and, eq, sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { webhooks } from '../../db/schema';

/** Extends `runnerId`'s lease on the endpoint; false when it holds it no longer (expired and taken, or deleted). */
export async function renewEndpointLease(
  db: AppDatabase,
  webhookId: string,
  runnerId: string,
  leaseMs: number,
): Promise<boolean> {
  const renewed = await db
    .update(webhooks)
    .set({ lockedUntil: sql`now() + ${leaseMs} * interval '1 millisecond'` })
    .where(and(eq(webhooks.id, webhookId), eq(webhooks.lockedBy, runnerId)))
    .returning({ id: webhooks.id });
  return renewed.length > 0;
}
