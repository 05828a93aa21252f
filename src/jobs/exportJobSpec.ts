/**
 * What a client asked an export job to do, normalised (defaults applied) and
 * stored as JSON (the shapes are the store's: src/db/jobSpecJson.ts).
 */
import type { AdditionalFieldsSpec, ExportFilterSpec, SegmentStatus } from '../db/jobSpecJson';
import type { Compression, ExportFormat } from '../files/outputSpec';

export type {
  AdditionalFieldsSpec,
  DestinationBatchSpec,
  EventListSpec,
  ExportFilterSpec,
  SegmentFilterSpec,
  SegmentStatus,
  TimeWindowSpec,
} from '../db/jobSpecJson';

export const DEFAULT_SEGMENT_STATUSES: readonly SegmentStatus[] = ['REALIZED', 'EXISTING'];
export const DEFAULT_MERGE_POLICY = { id: 'timestampOrdered-none-mp', version: 1 } as const;
export const PROFILE_SCHEMA_NAME = '_xdm.context.profile';
export const MAX_SEGMENTS = 100;

/** A job's whole specification, as `validateExportJobInput` makes it and the job row stores it. */
export interface ExportJobSpec {
  fields: string | null;
  schemaName: string;
  mergePolicyId: string;
  mergePolicyVersion: number;
  filter: ExportFilterSpec;
  additionalFields: AdditionalFieldsSpec | null;
  datasetId: string;
  segmentPerBatch: boolean;
  evaluateSegments: boolean;
  outputFormat: ExportFormat;
  outputCompression: Compression;
  outputMaxRecordsPerFile: number;
}
