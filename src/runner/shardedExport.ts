/**
 * Sharded exports: a job with more than `RUNNER_SHARD_MIN_PROFILES` candidates is split
 * at its start into parts, key ranges of the profile id (sql/splitExport.ts). Any runner
 * on the database claims parts (sql/claimJob.ts), each under its own lease, and reads
 * its range chunk by chunk from its own checkpoint, as an unsharded job reads all of it.
 *
 * The runner holding the job is its coordinator: it runs parts too, sums the parts'
 * counters into the job's (so progress is published as the job's, one ordered stream),
 * and once no part is left to read, goes on to the dataset write as any export does. A
 * cancel or a part that failed ends the job, which ends its parts (endJobWithoutResult).
 */
import type { Context } from '@opentelemetry/api';
import { isTransientDatabaseError } from '../db/postgresErrors';
import { describeError } from '../logger';
import { inSpan } from '../tracing/tracer';
import { readChunks, type ChunkLoop, type ReadOutcome } from './chunkLoop';
import { chunkSizer } from './chunkSizer';
import { ExportErrorCode } from './exportErrorCode';
import { planExport, type ExportPlan } from './exportPlan';
import { startHeartbeat } from './heartbeat';
import type { RunEnvironment } from './runExportJob';
import type { ExportJobRow } from '../db/schema';
import { claimPartOf, type ClaimedPart } from './sql/claimPart';
import { failPart, handBackPartAfterError, releasePart, renewPartLease, type PartKey } from './sql/partLease';
import { handBackAfterError } from './handBackAfterError';
import { sumParts } from './sql/partsProgress';
import { partCount, recordParts, sampleExport } from './sql/splitExport';

// How often the coordinator sums the parts: the job's progress moves at least this often
// (its trigger publishes at most every 250 ms), and a cancel is seen within it.
const SUM_EVERY_MS = 100;

/** How many parts the job has: those of an earlier run, or those it is split into now (0: it runs unsharded). */
export async function shardIfLarge(env: RunEnvironment, job: ExportJobRow, plan: ExportPlan): Promise<number> {
  const existing = await partCount(env.db, job.id);
  if (existing > 0) return existing;
  // A job an earlier run began unsharded goes on from its checkpoint as it was.
  if (job.checkpointProfileId !== null) return 0;
  const sample = await sampleExport(env.db, plan, env.options.shardMinProfiles);
  const parts = await recordParts(env.db, plan, env.runnerId, sample.boundaries);
  if (parts > 0) env.logger.info('Export job split into parts', { jobId: job.id, parts, estimatedCandidates: sample.estimatedCandidates });
  return parts;
}

/** How the coordinator's read of a sharded job ended; `failed` carries a failed part's error. */
export type ShardedReadOutcome = ReadOutcome | { failed: string };

/**
 * The coordinator's read: runs the job's parts that no runner holds, and sums the
 * parts' progress, until none is left to read (`read`), the job is cancelled, a part
 * failed, the runner stops, or the job is lost.
 */
export async function readParts(env: RunEnvironment, job: ExportJobRow, leaseLost: () => boolean): Promise<ShardedReadOutcome> {
  const claim = { runnerId: env.runnerId, leaseMs: env.options.leaseMs, tenantLimit: env.options.tenantLimit };
  // One sizer for all the coordinator's parts: each part would otherwise start again from
  // small chunks, as the job's first chunk does.
  const sizer = chunkSizer({ max: env.options.chunkSize, targetMs: env.options.chunkTargetMs });
  let summedAt = 0;
  const sum = async () => {
    summedAt = performance.now();
    return sumParts(env.db, job.id, env.runnerId, env.options.leaseMs);
  };
  /** While the coordinator runs a part: sums now and then, and ends the part as soon as the job will not go on. */
  const goOn = async (): Promise<boolean> => {
    if (performance.now() - summedAt < SUM_EVERY_MS) return true;
    try {
      const progress = await sum();
      return progress !== null && progress.status !== 'CANCELLING' && progress.failure === null;
    } catch (error: unknown) {
      // The part is sound: the next sum tries again.
      env.logger.error('Summing the parts failed', { jobId: job.id, error: describeError(error) });
      return true;
    }
  };
  for (;;) {
    if (leaseLost()) return 'lost';
    if (env.stopping()) return 'stopping';
    const claimed = await claimPartOf(env.db, job.id, claim);
    if (claimed) {
      const ran = await runExportPart(env, claimed, { afterChunk: goOn, sizer });
      if (ran === 'stopping') return 'stopping';
    }
    const progress = await sum();
    if (!progress) return 'lost';
    if (progress.status === 'CANCELLING') return 'cancelled';
    if (progress.failure !== null) return { failed: progress.failure };
    if (progress.open === 0) return 'read';
    // Every part left is in another runner's hands: wait for them.
    if (!claimed) await new Promise((resolve) => setTimeout(resolve, SUM_EVERY_MS));
  }
}

/**
 * How a part's run ended: its range read, or as `ReadOutcome` says, `halted` by its
 * coordinator's `afterChunk` (the job will not go on), `failed`, or `interrupted` by a
 * transient database error (handed back, to be run again from its checkpoint).
 */
export type PartOutcome = ReadOutcome | 'halted' | 'failed' | 'interrupted';

/**
 * One run of a part, by whichever runner claimed it: its range read from its checkpoint
 * under a heartbeat of its own. The coordinator passes `how`: its progress sums after each
 * chunk (`afterChunk`), and the chunk sizes its earlier parts learnt (`sizer`).
 */
export async function runExportPart(
  env: RunEnvironment,
  claimed: ClaimedPart,
  how: Pick<ChunkLoop, 'afterChunk' | 'sizer'> & { traceParent?: Context } = {},
): Promise<PartOutcome> {
  const { part, job } = claimed;
  const key: PartKey = { jobId: part.jobId, part: part.part };
  const attributes = { 'export_job.id': job.id, 'export_job.part': part.part, 'export_job.part_attempt': part.attempts };
  return inSpan('export part run', { attributes }, async (span) => {
    const outcome = await runPart();
    span.setAttribute('export_job.part_outcome', outcome);
    return outcome;
  }, how.traceParent);

  async function runPart(): Promise<PartOutcome> {
    if (part.attempts > env.options.maxAttempts) {
      env.logger.error('Export part given up', { jobId: job.id, part: part.part, attempts: part.attempts - 1 });
      await failPart(env.db, key, env.runnerId, ExportErrorCode.ATTEMPTS_EXHAUSTED);
      return 'failed';
    }
    let leaseLost = false;
    const heartbeat = startHeartbeat({
      intervalMs: env.options.leaseMs / 3,
      renew: () => renewPartLease(env.db, key, env.runnerId, env.options.leaseMs),
      onLost: () => (leaseLost = true),
      onError: (error) => env.logger.error('Part lease renewal failed', { jobId: job.id, part: part.part, error: describeError(error) }),
    });
    try {
      const outcome = await readChunks(env, {
        plan: planExport(job),
        after: part.checkpointProfileId ?? part.afterProfileId,
        part: { part: part.part, upTo: part.upToProfileId },
        leaseLost: () => leaseLost,
        afterChunk: how.afterChunk,
        sizer: how.sizer,
      });
      // Handed back, its attempt with it. Halted (its coordinator will not go on: the job's
      // lease was lost, it is cancelled or a part failed), it is handed back too: otherwise a
      // coordinator that takes the job over waits out this part's lease and counts an attempt
      // that no crash caused, while a job that ends ends its parts whatever they hold.
      // Cancelled, likewise: a part left under its lease counts against its tenant's limit
      // until the lease runs out, though the job's end (by its coordinator) ends it anyway.
      if (outcome === 'stopping' || outcome === 'halted' || outcome === 'cancelled') await releasePart(env.db, key, env.runnerId);
      return outcome;
    } catch (error: unknown) {
      if (isTransientDatabaseError(error)) {
        await handBackAfterError(env, { jobId: job.id, part: part.part, attempt: part.attempts }, error, (retryAfterMs) =>
          handBackPartAfterError(env.db, key, env.runnerId, retryAfterMs),
        );
        return 'interrupted';
      }
      env.logger.error('Export part failed', { jobId: job.id, part: part.part, error: describeError(error) });
      await failPart(env.db, key, env.runnerId, error instanceof Error ? error.name : 'Error');
      return 'failed';
    } finally {
      await heartbeat.stop();
    }
  }
}
