/**
 * Which status a job may move to, from which: the one place that says it. Every
 * statement that moves an export job or a segment job (claimJob, cancelExportJob,
 * completeJob, endJobWithoutResult, segmentJobRun) guards its UPDATE with a move's
 * `from` and writes its `to`; `statusIn` turns a list into SQL.
 *
 *   export job   NEW ──claim──▶ PROCESSING ──succeed──▶ SUCCEEDED
 *                 │                 │  └──fail / cancel──▶ FAILED / CANCELLED
 *                 │                 └──cancelRunning──▶ CANCELLING ──cancel──▶ CANCELLED
 *                 └──cancelWaiting──▶ CANCELLED
 *   segment job  NEW ──claim──▶ PROCESSING ──succeed / fail──▶ SUCCEEDED / FAILED
 *
 * A runner holds a job under a lease in one of its kind's held statuses
 * (`EXPORT_JOB_HELD`, `SEGMENT_JOB_HELD`); once the lease runs out, another runner
 * claims it again in that status: it resumes, it does not move.
 */
import type { ExportJobStatus } from '../db/statuses';

interface Move {
  from: readonly ExportJobStatus[];
  to: ExportJobStatus;
}

export const EXPORT_JOB_MOVES = {
  /** A runner takes a waiting job. */
  claim: { from: ['NEW'], to: 'PROCESSING' },
  /** A client cancels a job no runner has taken: it ends at once. */
  cancelWaiting: { from: ['NEW'], to: 'CANCELLED' },
  /** A client cancels a running job: its runner ends it, between two chunks. */
  cancelRunning: { from: ['PROCESSING'], to: 'CANCELLING' },
  /** Its runner listed every file. */
  succeed: { from: ['PROCESSING'], to: 'SUCCEEDED' },
  /** Its runner ends it without a result: an error (a job being cancelled ends CANCELLED instead), or a cancel arrived. */
  fail: { from: ['PROCESSING'], to: 'FAILED' },
  cancel: { from: ['PROCESSING', 'CANCELLING'], to: 'CANCELLED' },
} as const satisfies Record<string, Move>;

/** An export job's statuses while a runner holds it under a lease. */
export const EXPORT_JOB_HELD = ['PROCESSING', 'CANCELLING'] as const satisfies readonly ExportJobStatus[];

/** A segment job's moves: as an export job's, but it is never cancelled. */
export const SEGMENT_JOB_MOVES = {
  claim: { from: ['NEW'], to: 'PROCESSING' },
  succeed: { from: ['PROCESSING'], to: 'SUCCEEDED' },
  fail: { from: ['PROCESSING'], to: 'FAILED' },
} as const satisfies Record<string, Move>;

/** A segment job's statuses while a runner holds it under a lease. */
export const SEGMENT_JOB_HELD = ['PROCESSING'] as const satisfies readonly ExportJobStatus[];
