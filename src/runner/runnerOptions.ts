/** How the embedded runner works; every value comes from the config. */
export interface RunnerOptions {
  /** Jobs run at once by this process (`RUNNER_CONCURRENCY`, default 4; 0: no runner). */
  concurrency: number;
  /** Jobs of one tenant running at once across all runners (`RUNNER_TENANT_LIMIT`, default 2). */
  tenantLimit: number;
  /** How long a claim lasts without a heartbeat (`RUNNER_LEASE_MS`, default 30,000). */
  leaseMs: number;
  /** The most profiles a chunk takes (`RUNNER_CHUNK_SIZE`, default 2,000). */
  chunkSize: number;
  /**
   * How long one chunk statement should take (`RUNNER_CHUNK_MS`, default 70): chunks
   * are resized after each to about this, so no statement holds the job row (or
   * PGlite's one connection) for long.
   */
  chunkTargetMs: number;
  /**
   * Candidates above which an export is split into parts that runners run at once
   * (`RUNNER_SHARD_MIN_PROFILES`, default 100,000; shardedExport.ts).
   */
  shardMinProfiles: number;
  /**
   * Key ranges one segment evaluation runs at once, each on a connection of its own
   * (`RUNNER_EVALUATION_RANGES`, default 2 on PostgreSQL, where a statement uses one
   * core; always 1 on PGlite, which runs one statement at a time).
   */
  evaluationRangesAtOnce: number;
  /** Runs of a job before it fails for good (`RUNNER_MAX_ATTEMPTS`, default 3). */
  maxAttempts: number;
  /** How often an idle runner looks for work (`RUNNER_POLL_MS`, default 250). */
  pollMs: number;
  /** Days a succeeded job's results (files and records) are kept (`RESULT_TTL_DAYS`, default 7). */
  resultTtlDays: number;
  /** How often the runner looks for expired results to remove (`RESULT_SWEEP_MS`, default 60,000). */
  resultSweepMs: number;
}
