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

export interface ExportJobErrorEntry {
  code: string;
  msg: string;
  callStack: string | null;
}
