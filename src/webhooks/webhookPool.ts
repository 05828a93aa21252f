import type { BoundedPoolOptions } from '../db/database';
import type { WebhookOptions } from './webhookOptions';

/**
 * The deliverer's own connections (PostgreSQL), so that endpoints never wait
 * for the API's or the runner's, nor these for them. A statement of the
 * deliverer is short; the served endpoints share a few connections, one more claims.
 */
export function webhookPoolOptions(options: Pick<WebhookOptions, 'concurrency'>): BoundedPoolOptions {
  return { name: 'webhooks', connections: Math.min(options.concurrency, MAX_CONNECTIONS) + 1, statementTimeoutMs: STATEMENT_TIMEOUT_MS };
}

const MAX_CONNECTIONS = 4;
const STATEMENT_TIMEOUT_MS = 10_000;
