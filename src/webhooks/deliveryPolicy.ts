/**
 * How hard, how long and how fast webhooks are delivered: the numbers of the
 * delivery promise in one place (the `Webhook` doc in schema.graphql, README
 * "Webhooks"). Tests reach the time thresholds by moving timestamps in the
 * database, not by changing these.
 */

/** A message whose first attempt is this old is given up at its next failure. */
export const GIVE_UP_AFTER_MS = 24 * 60 * 60 * 1000;

/** An endpoint whose every delivery has failed for this long is disabled at its next failure. */
export const DISABLE_AFTER_MS = 3 * 24 * 60 * 60 * 1000;

/** The first retry waits up to this long; each further one twice as long … */
export const BACKOFF_BASE_MS = 1_000;

/** … but never more than this. */
export const BACKOFF_CAP_MS = 60 * 60 * 1000;

/** Messages of one endpoint sent under one claim before it gives others their turn. */
export const MESSAGES_PER_CLAIM = 100;

/**
 * How long an endpoint waits after a claim that ended in an error of ours (a failed
 * write, not the endpoint's answer): its messages sent but not recorded are sent again
 * then, and an error that keeps coming must not turn into a storm of requests to it.
 */
export const RETRY_AFTER_ERROR_MS = 30_000;

/** How often an idle deliverer looks for due messages, notifications aside. */
export const POLL_MS = 1_000;

/**
 * How long to wait before the next attempt after `attempts` failed ones:
 * exponential backoff with full jitter (anywhere between 0 and the exponential
 * bound), so that endpoints that failed together do not retry together.
 */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const bound = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.floor(random() * bound);
}
