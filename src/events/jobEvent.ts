import type { ExportJobStatus } from '../jobs/exportJobStatus';

/** Something that happened to an export job, as the event bus carries it. */
export interface JobEvent {
  type: 'CREATED' | 'STATUS_CHANGED' | 'PROGRESS';
  jobId: number;
  orgId: string;
  sandboxName: string;
  status: ExportJobStatus;
  previousStatus: ExportJobStatus | null;
  progress: { processedProfiles: number; totalProfiles: number | null; percent: number };
  occurredAt: Date;
}
