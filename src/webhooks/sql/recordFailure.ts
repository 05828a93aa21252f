import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { BACKOFF_CAP_MS, backoffMs, DISABLE_AFTER_MS, GIVE_UP_AFTER_MS } from '../deliveryPolicy';
import { lockTenantEventsOfWebhook } from '../tenantEventLock';

/** A quiet this long since the endpoint's last attempt ends its streak of failures: twice the longest backoff. */
const STREAK_GAP_MS = 2 * BACKOFF_CAP_MS;

export interface FailedDelivery {
  eventId: number;
  attemptedAt: Date;
  httpStatus: number | null;
  durationMs: number;
  error: string;
}

/**
 * What a failure leads to:
 * - `retryLater`: the endpoint waits out its backoff; its messages keep their order.
 * - `gaveUp`: the message's first attempt was 24 hours ago or more: it is dropped,
 *   and the next one may be tried at once.
 * - `disabled`: every delivery has failed for 3 days or more: the endpoint is
 *   disabled and its messages dropped.
 * - `gone`: the webhook was deleted meanwhile, or this deliverer's lease on it ran out
 *   (another may be sending to it now); nothing was written.
 */
export type FailureVerdict = 'retryLater' | 'gaveUp' | 'disabled' | 'gone';

/**
 * Records a failed attempt (its delivery row, the message's attempts, the
 * endpoint's `failing_since`) and applies its verdict, in one transaction.
 * The thresholds are measured on the database's clock.
 */
export async function recordFailure(
  db: AppDatabase,
  webhookId: string,
  runnerId: string,
  failure: FailedDelivery,
): Promise<FailureVerdict> {
  const attemptedAt = failure.attemptedAt.toISOString();
  return db.transaction(async (tx) => {
    // Should this failure disable the endpoint, no job change of the tenant may queue it a
    // message between the disable and its commit (tenantEventLock.ts). Whether it does is
    // known only once the endpoint's row is locked, and the lock must come before that row
    // (deleteWebhook's order), so every failure takes it: failures are rare, and a job
    // change holds it for its own transaction only.
    await lockTenantEventsOfWebhook(tx, webhookId);
    // Locks the endpoint: a concurrent deleteWebhook waits, or has happened. Only while
    // this deliverer holds it: one whose lease ran out must not set another's backoff, count
    // an attempt of a message the other may have delivered, or disable the endpoint.
    // A streak of failures is one while the endpoint had something to send: with messages
    // waiting it is tried at least every BACKOFF_CAP_MS, so an attempt after a longer quiet
    // begins a new streak. Else an endpoint that failed once days ago, then had nothing to
    // send, was disabled at the first failure of its next event.
    const [endpoint] = await tx.execute<{ failing_since: string; disable: boolean }>(sql`
      update webhooks set failing_since = case
        when failing_since is null then ${attemptedAt}::timestamptz
        when coalesce((select d.attempted_at from webhook_deliveries d where d.webhook_id = webhooks.id order by d.id desc limit 1), failing_since)
          < ${attemptedAt}::timestamptz - ${STREAK_GAP_MS} * interval '1 millisecond' then ${attemptedAt}::timestamptz
        else failing_since end
      where id = ${webhookId} and locked_by = ${runnerId}
      returning gw_iso_time(failing_since) as failing_since,
        failing_since <= now() - ${DISABLE_AFTER_MS} * interval '1 millisecond' as disable`);
    if (!endpoint) return 'gone';
    const [message] = await tx.execute<{ attempts: number; give_up: boolean }>(sql`
      update webhook_messages set
        attempts = attempts + 1,
        first_attempt_at = coalesce(first_attempt_at, ${attemptedAt}::timestamptz)
      where webhook_id = ${webhookId} and event_id = ${failure.eventId}
      returning attempts, first_attempt_at <= now() - ${GIVE_UP_AFTER_MS} * interval '1 millisecond' as give_up`);
    const attempt = message?.attempts ?? 1;

    let verdict: FailureVerdict = 'retryLater';
    let error = failure.error;
    if (endpoint.disable) {
      verdict = 'disabled';
      error += `; the webhook is disabled: every delivery has failed since ${endpoint.failing_since}`;
      await tx.execute(sql`
        update webhooks set enabled = false, locked_by = null, locked_until = null,
          disabled_reason = ${`Every delivery failed from ${endpoint.failing_since} to ${attemptedAt}, for 3 days or more`}
        where id = ${webhookId}`);
      await tx.execute(sql`delete from webhook_messages where webhook_id = ${webhookId}`);
    } else if (message?.give_up) {
      verdict = 'gaveUp';
      error += '; given up: first attempted 24 hours ago or more';
      await tx.execute(sql`delete from webhook_messages where webhook_id = ${webhookId} and event_id = ${failure.eventId}`);
    } else {
      await tx.execute(sql`
        update webhooks set next_attempt_at = now() + ${backoffMs(attempt)} * interval '1 millisecond'
        where id = ${webhookId}`);
    }
    await tx.execute(sql`
      insert into webhook_deliveries (webhook_id, event_id, attempt, attempted_at, http_status, duration_ms, error, succeeded)
      values (${webhookId}, ${failure.eventId}, ${attempt}, ${attemptedAt}::timestamptz, ${failure.httpStatus},
        ${failure.durationMs}, ${error}, false)`);
    return verdict;
  });
}
