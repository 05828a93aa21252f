import { asc, eq } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { exportJobEvents, webhookMessages, type ExportJobEventRow } from '../../db/schema';

export interface PendingMessage {
  eventId: number;
  /** Attempts made so far. */
  attempts: number;
  firstAttemptAt: Date | null;
  /** Null when the event is no longer kept (retention): nothing left to send. */
  event: ExportJobEventRow | null;
}

/** The endpoint's next `limit` messages, oldest event first, each with its event. */
export async function pendingMessages(db: AppDatabase, webhookId: string, limit: number): Promise<PendingMessage[]> {
  return db
    .select({
      eventId: webhookMessages.eventId,
      attempts: webhookMessages.attempts,
      firstAttemptAt: webhookMessages.firstAttemptAt,
      event: exportJobEvents,
    })
    .from(webhookMessages)
    .leftJoin(exportJobEvents, eq(exportJobEvents.id, webhookMessages.eventId))
    .where(eq(webhookMessages.webhookId, webhookId))
    .orderBy(asc(webhookMessages.eventId))
    .limit(limit);
}
