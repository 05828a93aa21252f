/**
 * What a client asked an export job to do, normalised (defaults applied) and
 * stored as JSON. Times are RFC 3339 strings; statuses use the GraphQL enum names.
 */
export type SegmentStatus = 'REALIZED' | 'EXISTING' | 'EXITED';

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

export const DEFAULT_SEGMENT_STATUSES: readonly SegmentStatus[] = ['REALIZED', 'EXISTING'];
export const DEFAULT_MERGE_POLICY = { id: 'timestampOrdered-none-mp', version: 1 } as const;
export const PROFILE_SCHEMA_NAME = '_xdm.context.profile';
export const MAX_SEGMENTS = 100;
