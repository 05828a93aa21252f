import type { BoundedPoolOptions } from '../db/database';
import type { RunnerOptions } from './runnerOptions';

/**
 * The runner's own connections and the bound on its statements. A third of the
 * lease (at least 2 s): a statement longer than that could keep the heartbeat (which waits for
 * the job row) from renewing the lease in time; and a dead runner's statement
 * ends by then, so another runner takes its job within lease + a third.
 * Each running job needs a connection for its count, its heartbeat and each
 * of its chunks at once (a segment evaluation's ranges); one more claims.
 */
export function runnerPoolOptions(options: RunnerOptions): BoundedPoolOptions {
  const perJob = 2 + Math.max(1, options.evaluationRangesAtOnce);
  return { name: 'runner', connections: options.concurrency * perJob + 1, statementTimeoutMs: statementTimeoutOf(options) };
}

export function statementTimeoutOf(options: Pick<RunnerOptions, 'leaseMs'>): number {
  return Math.max(MIN_STATEMENT_TIMEOUT_MS, Math.floor(options.leaseMs / 3));
}

// Short leases (tests) would otherwise time out ordinary statements on a busy machine.
const MIN_STATEMENT_TIMEOUT_MS = 2_000;
