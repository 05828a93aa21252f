/**
 * One run of an export job, from claim to its end: start (batches, total),
 * chunks until every profile is read, the batches' files, then SUCCEEDED — or CANCELLED when a
 * client cancels, FAILED on an error, or handed back when the runner stops or the database
 * fails for a while.
 */
import type { AppDatabase } from '../db/database';
import type { ExportJobRow } from '../db/schema';
import { isTransientDatabaseError } from '../db/postgresErrors';
import { describeError, type Logger } from '../logger';
import type { RunnerMetrics } from '../metrics/gatewayMetrics';
import { lightStatementSizer } from './chunkSizer';
import { readChunks } from './chunkLoop';
import { readParts, shardIfLarge } from './shardedExport';
import { ExportErrorCode } from './exportErrorCode';
import { UnwritableRecords } from '../files/unwritableRecords';
import { startHeartbeat } from './heartbeat';
import { planExport } from './exportPlan';
import type { RunnerOptions } from './runnerOptions';
import { completeJob } from './sql/completeJob';
import { countExportProfiles } from './sql/countExportProfiles';
import { endJobWithoutResult } from './sql/endJobWithoutResult';
import { handBackAfterError } from './handBackAfterError';
import { handBackJobAfterError, releaseJob } from './sql/releaseJob';
import { removeBatchRecords } from './sql/removeBatchRecords';
import { renewLease } from './sql/renewLease';
import { recordTotal } from './sql/recordTotal';
import { startDatasetWrite } from './sql/startDatasetWrite';
import { startExport } from './sql/startExport';
import { writeDataset } from './datasetWritePhase';
import type { FileStore } from '../files/fileStore';
import { runSegmentationPhase } from './segmentationPhase';
import { settledWithin } from './settledWithin';
import { inSpan } from '../tracing/tracer';


// How many chunks' time (RUNNER_CHUNK_MS) the first chunk waits for the export's count: the
// count of a 12,700-member segment of 200,000 profiles took 100–150 ms on PGlite here, and
// the wait is little beside the time of an export whose count takes longer.
const COUNT_FIRST_CHUNKS = 2;

export interface RunEnvironment {
  db: AppDatabase;
  logger: Logger;
  runnerId: string;
  options: RunnerOptions;
  /** True once the runner is shutting down: hand the job back after the current chunk. */
  stopping(): boolean;
  /** Absent when metrics are off. */
  metrics?: RunnerMetrics;
}

/** An export's run also writes the batches' files. */
export interface ExportRunEnvironment extends RunEnvironment {
  files: FileStore;
}

/**
 * How a run ended: the job's end (succeeded, failed, cancelled), handed back
 * because the runner stops or the database failed for a while (released), or
 * found in another runner's hands (lost).
 */
export type RunOutcome = 'succeeded' | 'failed' | 'cancelled' | 'released' | 'lost';

export async function runExportJob(env: ExportRunEnvironment, claimed: ExportJobRow): Promise<RunOutcome> {
  // Every write below that changes the job's status or progress writes its event
  // itself (the outbox trigger, migration 0012): the runner publishes nothing.
  const { db, runnerId, options, metrics } = env;
  const end = async (outcome: Parameters<typeof endJobWithoutResult>[3]): Promise<RunOutcome> => {
    const ended = await endJobWithoutResult(db, claimed.id, runnerId, outcome);
    if (!ended) return 'lost';
    await env.files.removeJob(claimed.id);
    await removeBatchRecords(db, ended.batchIds, lightStatementSizer(options));
    return ended.job.status === 'CANCELLED' ? 'cancelled' : 'failed';
  };
  /** A phase stopped before its end: the job was cancelled, the runner stops, or another runner has it. */
  const stopped = async (why: 'cancelled' | 'stopping' | 'lost'): Promise<RunOutcome> => {
    if (why === 'cancelled') return end({ status: 'CANCELLED' });
    if (why === 'stopping') {
      await releaseJob(db, claimed.id, runnerId);
      return 'released';
    }
    return 'lost';
  };
  if (claimed.status === 'CANCELLING') return end({ status: 'CANCELLED' });
  if (claimed.attempts > options.maxAttempts) {
    env.logger.error('Export job given up', { jobId: claimed.id, attempts: claimed.attempts - 1 });
    return end({
      status: 'FAILED',
      errors: [
        {
          code: ExportErrorCode.ATTEMPTS_EXHAUSTED,
          msg: `The export was interrupted ${claimed.attempts - 1} times and has been given up`,
          callStack: null,
        },
      ],
    });
  }

  let leaseLost = false;
  let finished = false; // ends the count when the run ends first
  let readAll = false; // ends the count once every profile is read: their number is known then
  // The count of the profiles to export, beside the chunks; waited for as the run ends.
  let counted: Promise<void> = Promise.resolve();
  const heartbeat = startHeartbeat({
    intervalMs: options.leaseMs / 3,
    renew: async () => {
      const renewed = (await renewLease(db, claimed.id, runnerId, options.leaseMs)) !== null;
      if (renewed) metrics?.leaseRenewals.inc();
      return renewed;
    },
    onLost: () => (leaseLost = true),
    onError: (error) => env.logger.error('Lease renewal failed', { jobId: claimed.id, error: describeError(error) }),
  });

  try {
    // Before the export writes anything: the filter's segments evaluated, if the job asks for it.
    const segmentation = await runSegmentationPhase(env, claimed);
    switch (segmentation.kind) {
      case 'done':
        break;
      case 'undefined':
        return await end({
          status: 'FAILED',
          errors: [
            {
              code: ExportErrorCode.SEGMENT_NOT_DEFINED,
              msg: `evaluationInfo.segmentation needs a segment definition for every segment of the filter; none for ${segmentation.segmentIds.join(', ')}`,
              callStack: null,
            },
          ],
        });
      default:
        return await stopped(segmentation.kind);
    }
    const plan = planExport(claimed);
    const started = await startExport(db, claimed, plan, runnerId);
    if (!started) return 'lost';
    // The total is for progress only: an export whose count fails goes on without it.
    // Half a chunk's time: where statements take turns (PGlite), an API request waits less behind one.
    const counting = lightStatementSizer(options, options.chunkTargetMs / 2);
    const countStartedAt = performance.now();
    counted =
      started.totalProfiles !== null
        ? Promise.resolve()
        : countExportProfiles(db, plan, counting, () => finished || readAll || leaseLost || env.stopping())
            .then(async (total) => {
              if (total !== undefined) await recordTotal(db, claimed.id, runnerId, total);
            })
            .catch((error: unknown) =>
              env.logger.error('Counting an export failed', { jobId: claimed.id, error: describeError(error) }),
            );
    const parts = await shardIfLarge(env, started, plan);
    // The count goes first, for at most COUNT_FIRST_CHUNKS chunks' time (the split's sample
    // included); one still going then goes on beside the chunks. Started beside them, it took
    // turns with them on PGlite, one short slice behind each chunk, and a watcher saw 0 % for
    // most of the run. On PGlite this only orders the same statements; on PostgreSQL, where
    // the count has a connection of its own, it delays the first chunk by at most this.
    await settledWithin(counted, COUNT_FIRST_CHUNKS * options.chunkTargetMs - (performance.now() - countStartedAt));
    const read = parts > 0
      ? await readParts(env, started, () => leaseLost)
      : await readChunks(env, { plan, after: started.checkpointProfileId, leaseLost: () => leaseLost });
    if (typeof read === 'object') {
      return await end({
        status: 'FAILED',
        errors: [
          read.failed === ExportErrorCode.ATTEMPTS_EXHAUSTED
            ? { code: ExportErrorCode.ATTEMPTS_EXHAUSTED, msg: 'A part of the export was interrupted too many times and has been given up', callStack: null }
            : { code: ExportErrorCode.EXPORT_FAILED, msg: 'A part of the export failed; its partial data was removed', callStack: read.failed },
        ],
      });
    }
    if (read !== 'read') return await stopped(read);
    const profilesRead = new Date();
    // Not waited out: the count of a segment's candidates can outlast the parts that read them,
    // and a cancel meanwhile would go unseen. The write phase's start records the exact total.
    readAll = true;
    await counted;
    const writing = await startDatasetWrite(db, claimed.id, runnerId, profilesRead);
    if (writing === null || leaseLost) return 'lost';
    if (writing === 'CANCELLING') return await end({ status: 'CANCELLED' });
    const dataset = await inSpan('dataset write', {}, () => writeDataset(env, claimed));
    if (dataset.kind !== 'written') return await stopped(dataset.kind);
    const completed = await completeJob(db, claimed.id, runnerId, dataset.files, options.resultTtlDays);
    if (completed) {
      metrics?.exportedProfiles.inc(completed.exportedProfiles);
      return 'succeeded';
    }
    // Not completed: cancelled in the last moment, or the lease is gone.
    if ((await renewLease(db, claimed.id, runnerId, options.leaseMs)) === 'CANCELLING') {
      return await end({ status: 'CANCELLED' });
    }
    return 'lost';
  } catch (error: unknown) {
    if (isTransientDatabaseError(error)) {
      return await handBackAfterError(env, { jobId: claimed.id, attempt: claimed.attempts }, error, (retryAfterMs) =>
        handBackJobAfterError(db, claimed.id, runnerId, retryAfterMs),
      );
    }
    env.logger.error('Export job failed', { jobId: claimed.id, error: describeError(error) });
    // Records the format cannot hold are the owner's to know about: the message says which limit, and what to do.
    const unwritable = error instanceof UnwritableRecords;
    return await end({
      status: 'FAILED',
      errors: [
        {
          code: unwritable ? ExportErrorCode.OUTPUT_UNWRITABLE : ExportErrorCode.EXPORT_FAILED,
          msg: unwritable ? `${error.message}; its partial data was removed` : 'The export failed; its partial data was removed',
          callStack: error instanceof Error ? error.name : null,
        },
      ],
    });
  } finally {
    finished = true;
    await heartbeat.stop();
    // Stopped at its next slice: none of it may run after the run, on a database a stopping runner closes.
    await counted;
  }
}
