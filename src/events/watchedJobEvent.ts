import type { ExportJobRow } from '../db/schema';
import type { JobEvent } from './jobEvent';

/**
 * An event as a watcher receives it: live or replayed from the outbox, with the
 * job read once for everyone watching. A `SNAPSHOT` is the job as it is, not a
 * stored event: its `id` is null.
 */
export interface WatchedJobEvent extends Omit<JobEvent, 'id' | 'type' | 'jobId' | 'orgId' | 'sandboxName'> {
  id: number | null;
  type: JobEvent['type'] | 'SNAPSHOT';
  job: ExportJobRow;
}
