/**
 * Turns a `CreateExportJobInput` into the job's stored specification: every rule
 * that needs no database is checked here, every default is applied here.
 */
import { badUserInput } from '../errors';
import { requiredKey } from '../profiles/storable';
import type { CreateExportJobInput } from './exportJobInput';
import {
  DEFAULT_MERGE_POLICY,
  DEFAULT_SEGMENT_STATUSES,
  MAX_SEGMENTS,
  PROFILE_SCHEMA_NAME,
  type AdditionalFieldsSpec,
  type ExportFilterSpec,
  type ExportJobSpec,
  type SegmentFilterSpec,
} from './exportJobSpec';
import { normalizeFieldPaths } from './fieldPaths';
import { DEFAULT_OUTPUT, MAX_RECORDS_PER_FILE, unwritableReason } from '../files/outputSpec';

export function validateExportJobInput(input: CreateExportJobInput): ExportJobSpec {
  if (input.schema.name !== PROFILE_SCHEMA_NAME) {
    throw badUserInput('schema.name', `\`schema.name\` must be ${PROFILE_SCHEMA_NAME} (got ${JSON.stringify(input.schema.name)})`);
  }
  const datasetId = requiredKey(input.destination.datasetId, 'destination.datasetId');
  const mergePolicyId = input.mergePolicy
    ? requiredKey(input.mergePolicy.id, 'mergePolicy.id')
    : DEFAULT_MERGE_POLICY.id;
  const mergePolicyVersion = input.mergePolicy?.version ?? DEFAULT_MERGE_POLICY.version;
  if (mergePolicyVersion < 1) {
    throw badUserInput('mergePolicy.version', '`mergePolicy.version` must be 1 or more');
  }

  const filter = validateFilter(input.filter);
  const segmentPerBatch = input.destination.segmentPerBatch ?? false;
  if (segmentPerBatch && filter.segments === null) {
    throw badUserInput('destination.segmentPerBatch', '`destination.segmentPerBatch` needs `filter.segments`: one batch per segment');
  }
  return {
    fields: normalizeFieldPaths(input.fields, 'fields'),
    schemaName: input.schema.name,
    mergePolicyId,
    mergePolicyVersion,
    filter,
    additionalFields: validateAdditionalFields(input.additionalFields),
    datasetId,
    segmentPerBatch,
    evaluateSegments: input.evaluationInfo?.segmentation ?? false,
    ...validateOutput(input.output),
  };
}

/** The output as given over the defaults; a combination this build cannot write is refused, never changed. */
function validateOutput(
  output: CreateExportJobInput['output'],
): Pick<ExportJobSpec, 'outputFormat' | 'outputCompression' | 'outputMaxRecordsPerFile'> {
  // An explicit null is the default too, as for every optional input here.
  const spec = {
    format: output?.format ?? DEFAULT_OUTPUT.format,
    compression: output?.compression ?? DEFAULT_OUTPUT.compression,
    maxRecordsPerFile: output?.maxRecordsPerFile ?? DEFAULT_OUTPUT.maxRecordsPerFile,
  };
  const { min, max } = MAX_RECORDS_PER_FILE;
  if (!Number.isInteger(spec.maxRecordsPerFile) || spec.maxRecordsPerFile < min || spec.maxRecordsPerFile > max) {
    throw badUserInput('output.maxRecordsPerFile', `\`output.maxRecordsPerFile\` must be ${min} to ${max.toLocaleString('en-US')}`);
  }
  const reason = unwritableReason(spec);
  if (reason !== null) throw badUserInput(spec.format === 'PARQUET' ? 'output.format' : 'output.compression', reason);
  return { outputFormat: spec.format, outputCompression: spec.compression, outputMaxRecordsPerFile: spec.maxRecordsPerFile };
}

function validateFilter(filter: CreateExportJobInput['filter']): ExportFilterSpec {
  const window = filter?.segmentQualificationTime;
  checkWindow('filter.segmentQualificationTime', 'startTime', window?.startTime, 'endTime', window?.endTime);
  const segments = validateSegments(filter?.segments);
  // The window filters memberships of the listed segments: without any, it would silently export every profile.
  if (segments === null && (window?.startTime || window?.endTime)) {
    throw badUserInput(
      'filter.segmentQualificationTime',
      '`filter.segmentQualificationTime` needs `filter.segments`: it keeps the members who qualified for them inside the window',
    );
  }
  return {
    segments,
    segmentQualificationTime: window
      ? { startTime: iso(window.startTime), endTime: iso(window.endTime) }
      : null,
    fromIngestTimestamp: iso(filter?.fromIngestTimestamp),
    emptyProfiles: filter?.emptyProfiles ?? false,
  };
}

type SegmentInputs = NonNullable<NonNullable<CreateExportJobInput['filter']>['segments']>;

function validateSegments(segments: SegmentInputs | null | undefined): SegmentFilterSpec[] | null {
  if (segments === null || segments === undefined) return null;
  if (segments.length === 0) {
    throw badUserInput('filter.segments', '`filter.segments` must list at least one segment; omit it to export every profile');
  }
  if (segments.length > MAX_SEGMENTS) {
    throw badUserInput('filter.segments', `At most ${MAX_SEGMENTS} segments per job (got ${segments.length})`);
  }
  const seen = new Set<string>();
  return segments.map((segment, index) => {
    const field = `filter.segments[${index}].segmentId`;
    const segmentId = requiredKey(segment.segmentId, field);
    if (seen.has(segmentId)) throw badUserInput(field, `Segment ${JSON.stringify(segmentId)} is listed twice`);
    seen.add(segmentId);
    const status = segment.status?.length ? [...new Set(segment.status)] : [...DEFAULT_SEGMENT_STATUSES];
    // A blank namespace means none, as it always has.
    const segmentNs = segment.segmentNs?.trim()
      ? requiredKey(segment.segmentNs, `filter.segments[${index}].segmentNs`)
      : null;
    return { segmentId, segmentNs, status };
  });
}

function validateAdditionalFields(
  additionalFields: CreateExportJobInput['additionalFields'],
): AdditionalFieldsSpec | null {
  const eventList = additionalFields?.eventList;
  if (!additionalFields) return null;
  if (!eventList) return { eventList: null };
  const filter = eventList.filter;
  const field = 'additionalFields.eventList.filter';
  checkWindow(field, 'fromIngestTimestamp', filter?.fromIngestTimestamp, 'toIngestTimestamp', filter?.toIngestTimestamp);
  return {
    eventList: {
      fields: normalizeFieldPaths(eventList.fields, 'additionalFields.eventList.fields'),
      filter: filter
        ? { fromIngestTimestamp: iso(filter.fromIngestTimestamp), toIngestTimestamp: iso(filter.toIngestTimestamp) }
        : null,
    },
  };
}

/** Both bounds given: the start must come strictly before the end. */
function checkWindow(
  field: string,
  startName: string,
  start: Date | null | undefined,
  endName: string,
  end: Date | null | undefined,
): void {
  if (start && end && start.getTime() >= end.getTime()) {
    throw badUserInput(field, `\`${field}.${startName}\` must be before \`${endName}\``);
  }
}

function iso(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}
