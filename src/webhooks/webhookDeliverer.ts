/**
 * The webhook deliverer: sends each endpoint the messages the outbox trigger
 * queued for it (migration 0012).
 *
 * Terms:
 * - endpoint: a `webhooks` row, one URL of a tenant.
 * - message: a `webhook_messages` row, one event waiting for one endpoint.
 * - delivery: one attempt to send a message, kept in `webhook_deliveries`.
 * - claim: an endpoint leased to one deliverer (`locked_by`, `locked_until`),
 *   so that only it sends that endpoint's messages, in event order. A deliverer
 *   that dies lets its lease expire; another takes the endpoint over.
 * - backoff: after a failure, no delivery to the endpoint before
 *   `next_attempt_at` (deliveryPolicy.ts): the failed message is tried again
 *   first, and the messages behind it wait.
 *
 * Up to `concurrency` endpoints are served at once, each in a slot of its own,
 * so a slow or dead endpoint holds one slot for at most `timeoutMs` an attempt
 * and delays no other endpoint, and no export (the deliverer has connections
 * of its own, and on PGlite its statements give way to the API's).
 */
import type { AppDatabase, Database } from '../db/database';
import { inBackground } from '../db/backgroundWork';
import type { WebhookRow } from '../db/schema';
import { describeError, type Logger } from '../logger';
import { POLL_MS } from './deliveryPolicy';
import { deliverToEndpoint, type DeliveryEnvironment } from './deliverToEndpoint';
import { claimEndpoints } from './sql/claimEndpoints';
import { WEBHOOK_CHANGED_CHANNEL } from './webhookChanged';
import { createWebhookPoster } from './webhookPoster';
import type { WebhookOptions } from './webhookOptions';
import type { WebhookMetrics } from '../metrics/gatewayMetrics';
import { repeatedFailureLog } from '../logging/repeatedFailureLog';

/** The channel of migration 0012's trigger: messages were queued. */
export const WEBHOOK_MESSAGES_CHANNEL = 'gw_webhook_messages';

const DEFAULT_LEASE_MS = 30_000;

export interface WebhookDeliverer {
  /** Stops claiming, drops requests on their way (sent again later), releases its endpoints. */
  stop(): Promise<void>;
}

export interface WebhookDelivererDeps {
  /** For notifications. */
  database: Database;
  /** Where the deliverer reads and writes: a bounded pool of its own (`webhookPoolOptions`). */
  db: AppDatabase;
  logger: Logger;
  options: WebhookOptions;
  /** Who holds a claim (the runner's id). */
  runnerId: string;
  /**
   * How long a claim lasts unrenewed (a heartbeat renews it every third): a
   * deliverer that dies frees its endpoints after this. Default 30 s.
   */
  leaseMs?: number;
  /** Absent when metrics are off. */
  metrics?: WebhookMetrics;
}

export function startWebhookDeliverer(deps: WebhookDelivererDeps): WebhookDeliverer {
  const { db, logger, options, runnerId } = deps;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const poster = createWebhookPoster(options);
  const stopped = new AbortController();
  /**
   * The claims under way, by endpoint: each ends with `done`; `changed` is aborted
   * when its webhook is deleted or its secret rotated.
   */
  const serving = new Map<string, { done: Promise<void>; changed: AbortController }>();
  const environment: DeliveryEnvironment = {
    db,
    logger,
    poster,
    runnerId,
    leaseMs,
    signal: stopped.signal,
    metrics: deps.metrics,
  };

  // A wake that comes while the loop claims is kept, not lost: the loop looks again at once.
  let woken = false;
  let wake: (() => void) | undefined;
  const wakeUp = () => {
    woken = true;
    wake?.();
  };
  // After a gap in listening, messages may wait unheard: look at once rather than at the next poll.
  const listening = deps.database.listen(WEBHOOK_MESSAGES_CHANNEL, wakeUp, wakeUp).catch((error: unknown) => {
    // Polling still finds every message, a poll interval later.
    logger.error('Listening for webhook messages failed', { error: describeError(error) });
    return async () => {};
  });

  // A change heard before its endpoint's claim is served (or while not listening) is missed
  // here: a deletion is then noticed by the claim's lease renewal, as before this channel,
  // and a rotation only by the next claim.
  const hearingChanges = deps.database
    .listen(WEBHOOK_CHANGED_CHANNEL, (webhookId) => serving.get(webhookId)?.changed.abort())
    .catch((error: unknown) => {
      logger.error('Listening for webhook changes failed', { error: describeError(error) });
      return async () => {};
    });

  function serve(endpoint: WebhookRow, claimedAt: number): void {
    const changed = new AbortController();
    const done = deliverToEndpoint(environment, endpoint, changed.signal, claimedAt)
      .catch((error: unknown) =>
        logger.error('Delivering to a webhook failed', { webhookId: endpoint.id, error: describeError(error) }),
      )
      .finally(() => {
        // Only this claim's (the claim leaves out endpoints still served here; kept as a guard).
        if (serving.get(endpoint.id) === claim) serving.delete(endpoint.id);
        wakeUp();
      });
    const claim = { done, changed };
    serving.set(endpoint.id, claim);
  }

  const claimFailures = repeatedFailureLog(logger, 'Claiming webhook endpoints failed');
  async function loop(): Promise<void> {
    while (!stopped.signal.aborted) {
      woken = false;
      try {
        const free = options.concurrency - serving.size;
        // The lease runs from the claim statement's start, by this process's clock.
        const claimedAt = performance.now();
        const claimed = await claimEndpoints(db, {
          runnerId,
          leaseMs,
          limit: free,
          perTenant: endpointsPerTenant(options.concurrency),
          serving: [...serving.keys()],
        });
        for (const endpoint of claimed) serve(endpoint, claimedAt);
        claimFailures.succeeded();
      } catch (error: unknown) {
        claimFailures.failed(error);
      }
      if (woken || stopped.signal.aborted) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, POLL_MS).unref();
      });
      wake = undefined;
    }
  }

  const looping = inBackground(loop);
  logger.info('Webhook deliverer started', { runnerId, concurrency: options.concurrency });
  return {
    stop: async () => {
      stopped.abort();
      wake?.();
      await (await listening)();
      await (await hearingChanges)();
      await looping;
      await Promise.all([...serving.values()].map((claim) => claim.done));
      poster.close();
    },
  };
}

/**
 * Endpoints of one tenant a deliverer serves at once: half its slots, rounded up, so that
 * one tenant's slow endpoints always leave room for the others' (`WEBHOOK_CONCURRENCY` 16: 8).
 */
export function endpointsPerTenant(concurrency: number): number {
  return Math.max(1, Math.ceil(concurrency / 2));
}
