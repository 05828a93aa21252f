import type { BoundedPoolOptions } from '../db/database';
import type { RunnerOptions } from './runnerOptions';

/**
 * The runner's own connections and the bound on its statements. A third of the
 * lease (at least 2 s): a statement longer than that could keep the heartbeat (which waits for
 * the job row) from renewing the lease in time; and a dead runner's statement
 * ends by then, so another runner takes its job within lease + a third.
 * Each running job needs at most four at once — a sharded export's first slot
 * holds the job's heartbeat, its part's, its count and a chunk — or, evaluating
 * segments, its heartbeat, its count and each range it runs at once
 * (`evaluationRangesAtOnce`). One more claims, one more prunes events and sweeps
 * expired results.
 */
export function runnerPoolOptions(options: RunnerOptions): BoundedPoolOptions {
  const perJob = Math.max(4, 2 + options.evaluationRangesAtOnce);
  return { name: 'runner', connections: options.concurrency * perJob + 2, statementTimeoutMs: statementTimeoutOf(options) };
}

export function statementTimeoutOf(options: Pick<RunnerOptions, 'leaseMs'>): number {
  return Math.max(MIN_STATEMENT_TIMEOUT_MS, Math.floor(options.leaseMs / 3));
}

// Short leases (tests) would otherwise time out ordinary statements on a busy machine.
const MIN_STATEMENT_TIMEOUT_MS = 2_000;
