import type { ExportJobStatus } from '../jobs/exportJobStatus';
import type { Progress } from '../jobs/progress';

/** The kinds of stored event (a watcher also gets `SNAPSHOT`, which is not stored). */
export type JobEventType = 'CREATED' | 'STATUS_CHANGED' | 'PROGRESS';

/**
 * Something that happened to an export job: a row of the outbox
 * (`export_job_events`), written by the change itself, and the NOTIFY
 * payload that announces it (migration 0012).
 */
export interface JobEvent {
  /** The event's id: orders the tenant's stream (`after` cursors). */
  id: number;
  type: JobEventType;
  jobId: number;
  orgId: string;
  sandboxName: string;
  status: ExportJobStatus;
  previousStatus: ExportJobStatus | null;
  progress: Progress;
  /** Counts the job's events from 1 (its creation), without gaps. */
  sequence: number;
  occurredAt: Date;
}
