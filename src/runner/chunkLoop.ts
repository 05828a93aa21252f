/**
 * The read of an export or of one part of it: chunk after chunk from a checkpoint
 * until every candidate of its range is read, each chunk one statement
 * (sql/exportChunk.ts) that writes its records and moves the checkpoint.
 */
import { PostgresErrorCode, postgresErrorCode } from '../db/postgresErrors';
import { inSpan } from '../tracing/tracer';
import { chunkSizer, type ChunkSizer } from './chunkSizer';
import type { ExportPlan } from './exportPlan';
import type { RunEnvironment } from './runExportJob';
import { statementTimeoutOf } from './runnerPool';
import { exportChunk, type ChunkRun } from './sql/exportChunk';

/**
 * How a read ended: every candidate read, the job cancelled (CANCELLING), the runner
 * stopping (before a chunk), or the job (or part) found in another runner's hands.
 */
export type ReadOutcome = 'read' | 'cancelled' | 'stopping' | 'lost';

export interface ChunkLoop {
  plan: ExportPlan;
  /** The checkpoint to resume after (null: from the first candidate). */
  after: string | null;
  /** The part read (sharded exports); absent: the whole job. */
  part?: ChunkRun['part'];
  /** True once the heartbeat found the lease gone. */
  leaseLost(): boolean;
  /** After each chunk that did not end the read; answering false ends it (`halted`). */
  afterChunk?(): Promise<boolean>;
  /** Sizes carried over from an earlier read of the same job (a coordinator's parts); absent: sized afresh. */
  sizer?: ChunkSizer;
}

export function readChunks(env: RunEnvironment, loop: ChunkLoop & { afterChunk?: undefined }): Promise<ReadOutcome>;
export function readChunks(env: RunEnvironment, loop: ChunkLoop): Promise<ReadOutcome | 'halted'>;
export async function readChunks(env: RunEnvironment, loop: ChunkLoop): Promise<ReadOutcome | 'halted'> {
  const { db, runnerId, options, metrics } = env;
  const chunks = loop.sizer ?? chunkSizer({ max: options.chunkSize, targetMs: options.chunkTargetMs });
  let checkpoint = loop.after;
  for (;;) {
    if (env.stopping()) return 'stopping';
    let chunk;
    try {
      const run: ChunkRun = { runnerId, leaseMs: options.leaseMs, chunkSize: chunks.size, after: checkpoint, part: loop.part };
      chunk = await inSpan('export chunk', { attributes: { 'export_chunk.size': run.chunkSize } }, async (span) => {
        const outcome = await exportChunk(db, loop.plan, run);
        span.setAttribute('export_chunk.profiles_read', outcome.scanned);
        return outcome;
      });
    } catch (error: unknown) {
      // Ended by the runner's statement timeout (runnerPool.ts): too big for the time it
      // may hold the job row. Nothing of it was written; a smaller one tries again.
      if (postgresErrorCode(error) !== PostgresErrorCode.QUERY_CANCELED || chunks.size === 1) throw error;
      env.logger.info('Export chunk ran out of time; retrying smaller', { jobId: loop.plan.jobId, profiles: chunks.size });
      chunks.record(statementTimeoutOf(options), false);
      continue;
    }
    chunks.record(chunk.elapsedMs, chunk.reachedEnd);
    if (chunk.status === null) return 'lost'; // another runner holds the job (or part) now
    metrics?.profilesRead.inc(chunk.scanned);
    checkpoint = chunk.checkpoint;
    if (chunk.status === 'CANCELLING') return 'cancelled';
    // Written under the lease (the statement is fenced), so the end is reached whatever the
    // heartbeat says since: a part's last chunk frees its row, and a renewal that waited on
    // the row then finds none.
    if (chunk.reachedEnd) return 'read';
    if (loop.leaseLost()) return 'lost';
    if (loop.afterChunk && !(await loop.afterChunk())) return 'halted';
  }
}
