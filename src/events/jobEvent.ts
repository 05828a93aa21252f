import type { ExportJobRow } from '../db/schema';
import type { ExportJobStatus } from '../jobs/exportJobStatus';
import { progressOf } from '../jobs/progress';

/** Something that happened to an export job, as the event bus carries it. */
export interface JobEvent {
  type: 'CREATED' | 'STATUS_CHANGED' | 'PROGRESS';
  jobId: number;
  orgId: string;
  sandboxName: string;
  status: ExportJobStatus;
  previousStatus: ExportJobStatus | null;
  progress: { processedProfiles: number; totalProfiles: number | null; percent: number };
  /** The job's event sequence after this change: strictly increasing per job. */
  sequence: number;
  occurredAt: Date;
}

/** The parts of a job row an event is made of. */
export type JobEventSource = Pick<
  ExportJobRow,
  'id' | 'orgId' | 'sandboxName' | 'status' | 'processedProfiles' | 'totalProfiles' | 'eventSequence'
>;

export function jobEventOf(
  job: JobEventSource,
  type: JobEvent['type'],
  previousStatus: ExportJobStatus | null,
): JobEvent {
  return {
    type,
    jobId: job.id,
    orgId: job.orgId,
    sandboxName: job.sandboxName,
    status: job.status as ExportJobStatus,
    previousStatus,
    progress: progressOf(job),
    sequence: job.eventSequence,
    occurredAt: new Date(),
  };
}
