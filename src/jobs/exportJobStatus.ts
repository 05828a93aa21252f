/** The life of an export job: NEW → PROCESSING → SUCCEEDED | FAILED, or cancelled on the way. The list is the store's (`db/statuses.ts`). */
import type { ExportJobStatus } from '../db/statuses';

export { EXPORT_JOB_STATUSES, type ExportJobStatus } from '../db/statuses';

/** Statuses a job never leaves. */
export const TERMINAL_STATUSES: readonly ExportJobStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/** An entry of a job's `errors` (its shape is the store's). */
export type { ExportJobErrorEntry } from '../db/jobSpecJson';
