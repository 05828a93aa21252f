import { and, eq, inArray } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { webhookMessages } from '../../db/schema';

/** Deletes messages that can no longer be sent (their event is no longer kept). */
export async function dropMessages(db: AppDatabase, webhookId: string, eventIds: number[]): Promise<void> {
  if (eventIds.length === 0) return;
  await db
    .delete(webhookMessages)
    .where(and(eq(webhookMessages.webhookId, webhookId), inArray(webhookMessages.eventId, eventIds)));
}
