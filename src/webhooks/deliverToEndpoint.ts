/**
 * One claim of one endpoint: its messages sent one at a time, oldest event
 * first, until they run out, one fails, or a claim's batch is done. Successes
 * are written together (one statement a batch); a failure is written at once,
 * after the successes before it, and ends the claim unless its message was
 * given up. An error of ours (a write that fails) ends it too, and the endpoint
 * waits RETRY_AFTER_ERROR_MS before its next claim. A webhook deleted or given a
 * new secret meanwhile (`changed`, webhookChanged.ts) ends it after the request on
 * its way. A heartbeat renews the lease every third of it, whatever an attempt
 * takes, so a deliverer that dies frees its endpoints within a lease.
 */
import type { AppDatabase } from '../db/database';
import type { WebhookRow } from '../db/schema';
import { describeError, type Logger } from '../logger';
import type { WebhookMetrics } from '../metrics/gatewayMetrics';
import { MESSAGES_PER_CLAIM, RETRY_AFTER_ERROR_MS } from './deliveryPolicy';
import { dropMessages } from './sql/dropMessages';
import { pendingMessages } from './sql/pendingMessages';
import { recordFailure } from './sql/recordFailure';
import { recordSuccesses, type SucceededDelivery } from './sql/recordSuccesses';
import { releaseEndpoint } from './sql/releaseEndpoint';
import { renewEndpointLease } from './sql/renewEndpointLease';
import type { WebhookPoster } from './webhookPoster';
import { eventSigner } from './webhookRequest';

export interface DeliveryEnvironment {
  db: AppDatabase;
  logger: Logger;
  poster: WebhookPoster;
  runnerId: string;
  leaseMs: number;
  /** Aborted when the deliverer stops: requests on their way are dropped, to be sent again later. */
  signal: AbortSignal;
  /** Absent when metrics are off. */
  metrics?: WebhookMetrics;
}

/** `claimedAt`: when the claim statement started (`performance.now()`), where its lease begins. */
export async function deliverToEndpoint(
  env: DeliveryEnvironment,
  endpoint: WebhookRow,
  changed: AbortSignal,
  claimedAt = performance.now(),
): Promise<void> {
  const { db, poster, runnerId, leaseMs, signal } = env;
  const url = new URL(endpoint.url);
  let secret = endpoint.secret;
  let signer = eventSigner(endpoint, secret);
  let succeeded: SucceededDelivery[] = [];
  const vanished: number[] = [];
  // Lost: the lease expired (a stall longer than it) and another deliverer may have the endpoint.
  let lost = false;
  // Until when the lease is surely ours, by this process's clock: from the claim, then from each
  // renewal asked. Renewals that fail or hang (the database down) leave it to pass, and no request
  // is sent or kept on its way after it: another deliverer may have claimed the endpoint and be
  // sending the same messages.
  let heldUntil = claimedAt + leaseMs;
  const lease = abortedWhenPassed(() => heldUntil);
  let renewing: Promise<unknown> = Promise.resolve();
  // An error of ours ended the claim: the endpoint waits RETRY_AFTER_ERROR_MS.
  let failedHere = false;
  const heartbeat = setInterval(() => {
    const askedAt = performance.now();
    renewing = renewEndpointLease(db, endpoint.id, runnerId, leaseMs).then(
      (held) => {
        if (held) heldUntil = Math.max(heldUntil, askedAt + leaseMs);
        else lost = true;
      },
      (error: unknown) => env.logger.error('Renewing a webhook lease failed', { webhookId: endpoint.id, error: describeError(error) }),
    );
  }, Math.max(1, Math.floor(leaseMs / 3)));

  /** Writes the successes so far; false when the endpoint is no longer ours. */
  const flush = async (): Promise<boolean> => {
    const state = await recordSuccesses(db, { webhookId: endpoint.id, runnerId, leaseMs, deliveries: succeeded });
    succeeded = [];
    if (!state?.held) return false;
    // A secret rotated meanwhile signs from the next attempt on.
    if (state.secret !== secret) signer = eventSigner(endpoint, (secret = state.secret));
    return true;
  };

  try {
    for (const message of await pendingMessages(db, endpoint.id, MESSAGES_PER_CLAIM)) {
      if (signal.aborted || lost || changed.aborted || lease.signal.aborted) break;
      if (!message.event) {
        vanished.push(message.eventId);
        continue;
      }
      const outcome = await poster.post(url, signer.sign(message.event), AbortSignal.any([signal, lease.signal]));
      if (outcome.aborted) break;
      env.metrics?.deliveries.inc({ outcome: outcome.succeeded ? 'succeeded' : 'failed' });
      const attempt = message.attempts + 1;
      if (outcome.succeeded) {
        const { attemptedAt, durationMs } = outcome;
        succeeded.push({ eventId: message.eventId, attempt, attemptedAt, durationMs, httpStatus: outcome.httpStatus ?? 200 });
        continue;
      }
      // The successes first: the endpoint's deliveries are listed in the order they happened.
      if (succeeded.length > 0 && !(await flush())) return;
      const verdict = await recordFailure(db, endpoint.id, runnerId, {
        eventId: message.eventId,
        attemptedAt: outcome.attemptedAt,
        httpStatus: outcome.httpStatus,
        durationMs: outcome.durationMs,
        error: outcome.error ?? 'failed',
      });
      if (verdict === 'gaveUp') {
        env.logger.info('Webhook message given up', { webhookId: endpoint.id, eventId: message.eventId, attempt });
        continue;
      }
      if (verdict === 'disabled') {
        env.logger.info('Webhook disabled: its deliveries have failed for 3 days', { webhookId: endpoint.id });
      }
      break;
    }
    if (succeeded.length > 0) await flush();
    await dropMessages(db, endpoint.id, vanished);
  } catch (error: unknown) {
    failedHere = true;
    throw error;
  } finally {
    clearInterval(heartbeat);
    lease.stop();
    await renewing;
    await releaseEndpoint(db, endpoint.id, runnerId, failedHere ? RETRY_AFTER_ERROR_MS : 0);
  }
}

/** A signal aborted once `until()` (a `performance.now()` time, which may move later) has passed. */
function abortedWhenPassed(until: () => number): { signal: AbortSignal; stop(): void } {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const left = until() - performance.now();
    if (left <= 0) controller.abort();
    else timer = setTimeout(check, left);
  };
  check();
  return { signal: controller.signal, stop: () => clearTimeout(timer) };
}
