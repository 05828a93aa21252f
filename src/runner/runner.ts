/**
 * The embedded runner: export jobs, and segment jobs (`evaluateSegments`).
 *
 * Terms:
 * - job: an export job row, or a segment job row; the queue is simply the jobs
 *   of both kinds that want work, oldest first (`claimNext`).
 * - run: one attempt at a job by one runner, under a lease that a heartbeat
 *   renews. A runner that dies lets its lease expire; another claims the job.
 * - chunk: the next profiles of a run (keyset on profile_id), exported by one
 *   SQL statement that also moves the job's checkpoint, so runs resume exactly.
 * - part: a key range of a big job's profiles (shardedExport.ts), claimed and run by
 *   any runner as a job is, with its own lease and checkpoint; the job's runner
 *   (its coordinator) sums the parts' progress and finishes the job.
 * - batch: where records land, one per job (or per segment with segmentPerBatch).
 * - lease: how long a claim lasts (`locked_until`); the heartbeat renews it, and a
 *   runner that lost it stops writing (every write is fenced on `locked_by`).
 * - checkpoint: the last profile whose records are written; a new run resumes after it.
 * - tenant: an org and sandbox; at most `tenantLimit` of its jobs run at once.
 * - event: a change of a job (created, status, progress) as the outbox stores it.
 *   The runner writes none itself: the change's own statement does (a trigger).
 * - sequence: a job's events counted from 1; watchers drop what is not newer.
 * - hub, watcher, snapshot: the hub hands events to watchers (subscriptions); a
 *   watch of one job starts with a snapshot, the job as it is (src/events/).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { AppDatabase } from '../db/database';
import { inBackground } from '../db/backgroundWork';
import type { EventBus } from '../events/eventBus';
import { describeError, type Logger } from '../logger';
import type { RunnerMetrics } from '../metrics/gatewayMetrics';
import { withLogContext } from '../logging/logContext';
import { contextOfTraceParent } from '../tracing/jobTraceParent';
import { inSpan } from '../tracing/tracer';
import { runExportJob, type RunOutcome } from './runExportJob';
import type { FileStore } from '../files/fileStore';
import type { RunnerOptions } from './runnerOptions';
import type { ExportJobRow, SegmentJobRow } from '../db/schema';
import { claimNext, type ClaimedJob } from './sql/claimJob';
import type { ClaimedPart } from './sql/claimPart';
import { runExportPart } from './shardedExport';
import { runSegmentJob } from './runSegmentJob';
import { repeatedFailureLog } from '../logging/repeatedFailureLog';

export interface Runner {
  readonly id: string;
  /** Jobs running now (slots in use, of `concurrency`). */
  busySlots(): number;
  /** Stops claiming, hands running jobs back after their current chunk, and resolves when all are out. */
  stop(): Promise<void>;
}

export function startRunner(deps: {
  db: AppDatabase;
  bus: EventBus;
  logger: Logger;
  options: RunnerOptions;
  /** Absent when metrics are off. */
  metrics?: RunnerMetrics;
  /** Where exports write their batches' files. */
  files: FileStore;
}): Runner {
  const { db, logger, options, metrics } = deps;
  const id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const running = new Set<Promise<void>>();
  let stopping = false;
  let wake: (() => void) | undefined;
  // A wake-up that came while the loop was not waiting (claiming, or starting up): the loop
  // must not then sleep a whole poll, or a job created meanwhile waits RUNNER_POLL_MS.
  let wakeRequested = false;
  const wakeUp = () => {
    wakeRequested = true;
    wake?.();
  };

  /** What a run gets: the runner's dependencies, and the identity of its claim. */
  const runEnvironment = (claimId: string) => ({ ...deps, runnerId: claimId, stopping: () => stopping });
  type RunEnvironment = ReturnType<typeof runEnvironment>;
  // Each claim holds its row under an identity of its own, the runner's id and the claim's
  // number: when this runner claims a job or part again after its own lease ran out (a
  // heartbeat held up), the run still holding the old claim is fenced off, as it would be
  // by another runner's claim, instead of writing beside the new one.
  let claims = 0;
  const claimIdentity = () => `${id}/${++claims}`;
  // A new job is work: look at once rather than at the next poll. The bus spans
  // processes, so this wakes every runner on the database, workers included.
  const stopWaking = deps.bus.subscribe((event) => {
    if (event.type === 'CREATED') wakeUp();
  });

  const claimFailures = repeatedFailureLog(logger, 'Claiming jobs failed');
  async function loop(): Promise<void> {
    while (!stopping) {
      // This round's claims cover every job created before it starts.
      wakeRequested = false;
      try {
        while (!stopping && running.size < options.concurrency) {
          const claimId = claimIdentity();
          const claimed = await claimNext(db, { runnerId: claimId, leaseMs: options.leaseMs, tenantLimit: options.tenantLimit });
          if (!claimed) break;
          const run = startRun(claimed, runEnvironment(claimId))
            .finally(() => {
              running.delete(run);
              wakeUp();
            });
          running.add(run);
        }
        claimFailures.succeeded();
      } catch (error: unknown) {
        claimFailures.failed(error);
      }
      await new Promise<void>((resolve) => {
        if (wakeRequested || stopping) return resolve();
        wake = resolve;
        setTimeout(resolve, options.pollMs).unref();
      });
      wake = undefined;
    }
  }

  /** The run of what was claimed, whose statements are all fenced by `env.runnerId`, the claim's identity. */
  function startRun(claimed: ClaimedJob, env: RunEnvironment): Promise<void> {
    if (claimed.kind === 'export') return startExportRun(claimed.job, env, claimed.wasNew);
    if (claimed.kind === 'part') return startPartRun(claimed, env);
    return startSegmentRun(claimed.job, env);
  }

  function startExportRun(job: ExportJobRow, env: RunEnvironment, wasNew: boolean): Promise<void> {
    logger.info('Export job claimed', { jobId: job.id, runnerId: env.runnerId, attempt: job.attempts });
    const claimedAt = performance.now();
    if (metrics) recordClaim(metrics, job, wasNew);
    return withLogContext({ jobId: job.id }, () => traceRun(job, () => runExportJob(env, job)))
      .then((outcome) => {
        if (metrics) recordRun(metrics, outcome, (performance.now() - claimedAt) / 1000);
      })
      .catch((error: unknown) => logger.error('Export run crashed', { jobId: job.id, error: describeError(error) }));
  }

  // A part of another runner's sharded job: its coordinator sums, ends and publishes the job.
  function startPartRun(claimed: ClaimedPart, env: RunEnvironment): Promise<void> {
    const { job, part } = claimed;
    logger.info('Export part claimed', { jobId: job.id, part: part.part, runnerId: env.runnerId, attempt: part.attempts });
    return withLogContext({ jobId: job.id }, () => runExportPart(env, claimed, { traceParent: contextOfTraceParent(job.traceParent) }))
      .then((outcome) => {
        if (outcome === 'lost') metrics?.leasesLost.inc();
      })
      .catch((error: unknown) => logger.error('Export part run crashed', { jobId: job.id, part: part.part, error: describeError(error) }));
  }

  // Segment jobs have metrics of their own only in what they evaluate
  // (gateway_export_profiles_segmented_total): the job metrics are export jobs'.
  function startSegmentRun(job: SegmentJobRow, env: RunEnvironment): Promise<void> {
    logger.info('Segment job claimed', { segmentJobId: job.id, runnerId: env.runnerId, attempt: job.attempts });
    const attributes = { 'segment_job.id': job.id, 'segment_job.attempt': job.attempts, 'tenant.org_id': job.orgId, 'tenant.sandbox_name': job.sandboxName };
    return inSpan('segment job run', { attributes }, async (span) => {
      const outcome = await runSegmentJob(env, job);
      span.setAttribute('segment_job.outcome', outcome);
      if (outcome === 'lost') metrics?.leasesLost.inc();
    }, contextOfTraceParent(job.traceParent)).catch((error: unknown) =>
      logger.error('Segment job run crashed', { segmentJobId: job.id, error: describeError(error) }),
    );
  }

  // The runner's statements give way to the API's where the database must choose (PGlite).
  const looping = inBackground(loop);
  logger.info('Export runner started', { runnerId: id, concurrency: options.concurrency });
  return {
    id,
    busySlots: () => running.size,
    stop: async () => {
      stopping = true;
      stopWaking();
      wake?.();
      await looping;
      await Promise.all(running);
    },
  };
}

/**
 * Runs `run` in a span continuing the trace of the request that created the job
 * (its child: the trace shows the request and every run it caused); a job
 * created untraced gets a trace of its own.
 */
function traceRun(job: ExportJobRow, run: () => Promise<RunOutcome>): Promise<RunOutcome> {
  const attributes = {
    'export_job.id': job.id,
    'export_job.attempt': job.attempts,
    'tenant.org_id': job.orgId,
    'tenant.sandbox_name': job.sandboxName,
  };
  const parent = contextOfTraceParent(job.traceParent);
  return inSpan('export job run', { attributes }, async (span) => {
    const outcome = await run();
    span.setAttribute('export_job.outcome', outcome);
    return outcome;
  }, parent);
}

/**
 * A first claim is the job's wait in the queue; any other (a lost lease, a hand-back at
 * shutdown, which gives its attempt back, or after an error) is a reclaim, whose wait
 * would count the runs before it.
 */
function recordClaim(metrics: RunnerMetrics, job: ExportJobRow, wasNew: boolean): void {
  if (!wasNew) {
    metrics.jobsReclaimed.inc();
    return;
  }
  // Both times are the database's (creation, and the claim's update), so clocks cannot skew the wait.
  metrics.queueWait.observe(Math.max(0, job.updateTime.getTime() - job.creationTime.getTime()) / 1000);
}

const FINAL_STATUS: Partial<Record<RunOutcome, string>> = {
  succeeded: 'SUCCEEDED',
  failed: 'FAILED',
  cancelled: 'CANCELLED',
};

function recordRun(metrics: RunnerMetrics, outcome: RunOutcome, seconds: number): void {
  metrics.runDuration.observe({ outcome }, seconds);
  const status = FINAL_STATUS[outcome];
  if (status) metrics.jobsFinished.inc({ status });
  if (outcome === 'lost') metrics.leasesLost.inc();
}
