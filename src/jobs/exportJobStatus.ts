/** The life of an export job: NEW → PROCESSING → SUCCEEDED | FAILED, or cancelled on the way. */
export const EXPORT_JOB_STATUSES = [
  'NEW',
  'PROCESSING',
  'SUCCEEDED',
  'FAILED',
  'CANCELLING',
  'CANCELLED',
] as const;

export type ExportJobStatus = (typeof EXPORT_JOB_STATUSES)[number];

/** Statuses a job never leaves. */
export const TERMINAL_STATUSES: readonly ExportJobStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/** An entry of a job's `errors` (its shape is the store's). */
export type { ExportJobErrorEntry } from '../db/jobSpecJson';
