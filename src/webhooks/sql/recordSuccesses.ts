import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';

export interface SucceededDelivery {
  eventId: number;
  attempt: number;
  attemptedAt: Date;
  httpStatus: number;
  durationMs: number;
}

/** The endpoint as the deliverer holding it needs to know it after a write. */
export interface HeldEndpoint {
  /** Still leased to this deliverer (false: the lease expired and another took it). */
  held: boolean;
  /** The signing secret now (rotated meanwhile or not). */
  secret: string;
}

/**
 * In one statement: deletes the delivered messages, records their deliveries
 * (in delivery order), clears `failing_since`, and renews the lease of
 * `runnerId` (if it still holds it). Null when the webhook has been deleted
 * meanwhile (nothing is written then).
 */
export async function recordSuccesses(
  db: AppDatabase,
  options: { webhookId: string; runnerId: string; leaseMs: number; deliveries: SucceededDelivery[] },
): Promise<HeldEndpoint | null> {
  const { webhookId, runnerId, leaseMs, deliveries } = options;
  const done = JSON.stringify(
    deliveries.map((d) => ({
      event_id: d.eventId,
      attempt: d.attempt,
      attempted_at: d.attemptedAt.toISOString(),
      http_status: d.httpStatus,
      duration_ms: d.durationMs,
    })),
  );
  // `endpoint` locks the webhook row before anything is written, so a concurrent
  // deleteWebhook waits or has happened: the deliveries' foreign key cannot fail.
  const rows = await db.execute<{ held: boolean; secret: string }>(sql`
    with endpoint as (
      select id from webhooks where id = ${webhookId} for update
    ), done as (
      select * from json_to_recordset(${done}::json)
        as d(event_id bigint, attempt integer, attempted_at timestamptz, http_status integer, duration_ms integer)
    ), removed as (
      delete from webhook_messages m using done, endpoint
      where m.webhook_id = endpoint.id and m.event_id = done.event_id
    ), recorded as (
      insert into webhook_deliveries (webhook_id, event_id, attempt, attempted_at, http_status, duration_ms, succeeded)
      select endpoint.id, done.event_id, done.attempt, done.attempted_at, done.http_status, done.duration_ms, true
      from done, endpoint
      order by done.event_id
    )
    update webhooks w set
      failing_since = case when ${deliveries.length} > 0 then null else w.failing_since end,
      locked_until = case when w.locked_by = ${runnerId}
        then now() + ${leaseMs} * interval '1 millisecond' else w.locked_until end
    from endpoint
    where w.id = endpoint.id
    returning w.locked_by = ${runnerId} as held, w.secret`);
  return rows[0] ?? null;
}
