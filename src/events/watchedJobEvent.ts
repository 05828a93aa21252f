import type { ExportJobRow } from '../db/schema';
import type { JobEvent } from './jobEvent';

/** An event as a watcher receives it: with the job read once for everyone watching. */
export interface WatchedJobEvent extends Omit<JobEvent, 'type' | 'jobId' | 'orgId' | 'sandboxName'> {
  type: JobEvent['type'] | 'SNAPSHOT';
  job: ExportJobRow;
}
