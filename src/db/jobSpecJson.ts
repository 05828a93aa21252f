/**
 * The shapes of an export job's JSON columns: what a client asked the job to do,
 * normalised (defaults applied), and the errors it ended with. Times are RFC 3339
 * strings; statuses use the GraphQL enum names. The store owns these shapes; the
 * domain (src/jobs/exportJobSpec.ts) speaks of them as its job spec.
 */
import type { SegmentStatus } from './statuses';

export type { SegmentStatus } from './statuses';

export interface SegmentFilterSpec {
  segmentId: string;
  segmentNs: string | null;
  status: SegmentStatus[];
}

export interface TimeWindowSpec {
  startTime: string | null;
  endTime: string | null;
}

export interface ExportFilterSpec {
  /** null exports every profile. */
  segments: SegmentFilterSpec[] | null;
  segmentQualificationTime: TimeWindowSpec | null;
  fromIngestTimestamp: string | null;
  emptyProfiles: boolean;
}

export interface EventListSpec {
  fields: string | null;
  filter: { fromIngestTimestamp: string | null; toIngestTimestamp: string | null } | null;
}

export interface AdditionalFieldsSpec {
  eventList: EventListSpec | null;
}

export interface DestinationBatchSpec extends SegmentFilterSpec {
  batchId: string;
}

export interface ExportJobErrorEntry {
  code: string;
  msg: string;
  callStack: string | null;
}
