/**
 * An export job as a caller asks for it: the shape of the API's
 * `CreateExportJobInput` (which mirrors the body of the REST `POST /export/jobs`),
 * owned here so the domain needs none of the GraphQL code. The resolver passes
 * the API's input as it is, and the compiler checks the two shapes agree.
 * `validateExportJobInput` checks it and applies the defaults.
 */
import type { SegmentStatus } from '../db/jobSpecJson';
import type { Compression, ExportFormat } from '../files/outputSpec';

export interface CreateExportJobInput {
  /** Comma-separated dot paths; omitted or empty exports every field. */
  fields?: string | null;
  schema: { name: string };
  mergePolicy?: { id: string; version?: number | null } | null;
  filter?: ExportFilterInput | null;
  additionalFields?: { eventList?: EventListInput | null } | null;
  destination: { datasetId: string; segmentPerBatch?: boolean | null };
  evaluationInfo?: { segmentation?: boolean | null } | null;
  output?: { format?: ExportFormat | null; compression?: Compression | null; maxRecordsPerFile?: number | null } | null;
  /** 1 to 255 characters: a repeated key returns the first job. */
  idempotencyKey?: string | null;
}

export interface ExportFilterInput {
  segments?: SegmentFilterInput[] | null;
  segmentQualificationTime?: { startTime?: Date | null; endTime?: Date | null } | null;
  fromIngestTimestamp?: Date | null;
  emptyProfiles?: boolean | null;
}

export interface SegmentFilterInput {
  segmentId: string;
  segmentNs?: string | null;
  status?: SegmentStatus[] | null;
}

export interface EventListInput {
  fields?: string | null;
  filter?: { fromIngestTimestamp?: Date | null; toIngestTimestamp?: Date | null } | null;
}
