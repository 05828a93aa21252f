/**
 * What a run of an export job does, worked out from the job row once: which
 * batches it fills with which segments' members, and which paths it projects.
 */
import { randomBytes } from 'node:crypto';
import type { ExportJobRow } from '../db/schema';
import type { DestinationBatchSpec, SegmentFilterSpec } from '../jobs/exportJobSpec';

export interface BatchTarget {
  batchId: string;
  /** The segments whose members go into this batch; null: every profile. */
  segments: SegmentFilterSpec[] | null;
}

export interface ExportPlan {
  jobId: number;
  orgId: string;
  sandboxName: string;
  targets: BatchTarget[];
  /** Every segment of the filter (members of any are exported); null: every profile. */
  segments: SegmentFilterSpec[] | null;
  qualifiedFrom: string | null;
  qualifiedBefore: string | null;
  updatedAfter: string | null;
  emptyProfiles: boolean;
  /** Paths of `fields`, each split into names; null keeps the whole document. */
  paths: string[][] | null;
  /** Set when the job asked for `additionalFields.eventList`. */
  events: { paths: string[][] | null; ingestedAfter: string | null; ingestedBefore: string | null } | null;
}

/** The plan of a job; batch ids are taken from the job when an earlier run already created them. */
export function planExport(job: ExportJobRow): ExportPlan {
  const segments = job.filter.segments;
  const window = job.filter.segmentQualificationTime;
  const eventList = job.additionalFields?.eventList ?? null;
  return {
    jobId: job.id,
    orgId: job.orgId,
    sandboxName: job.sandboxName,
    targets: batchTargets(job),
    segments,
    qualifiedFrom: window?.startTime ?? null,
    qualifiedBefore: window?.endTime ?? null,
    updatedAfter: job.filter.fromIngestTimestamp,
    emptyProfiles: job.filter.emptyProfiles,
    paths: splitPaths(job.fields),
    events: eventList
      ? {
          paths: splitPaths(eventList.fields),
          ingestedAfter: eventList.filter?.fromIngestTimestamp ?? null,
          ingestedBefore: eventList.filter?.toIngestTimestamp ?? null,
        }
      : null,
  };
}

/** A plan that reads every profile of the job's tenant and writes nothing: what counting them all takes. */
export function planEveryProfile(job: Pick<ExportJobRow, 'id' | 'orgId' | 'sandboxName'>): ExportPlan {
  return {
    jobId: job.id,
    orgId: job.orgId,
    sandboxName: job.sandboxName,
    targets: [],
    segments: null,
    qualifiedFrom: null,
    qualifiedBefore: null,
    updatedAfter: null,
    emptyProfiles: true,
    paths: null,
    events: null,
  };
}

function batchTargets(job: ExportJobRow): BatchTarget[] {
  const segments = job.filter.segments;
  if (job.segmentPerBatch && segments) {
    const existing = job.batches ?? [];
    return segments.map((segment, i) => ({
      batchId: existing[i]?.batchId ?? newBatchId(),
      segments: [segment],
    }));
  }
  return [{ batchId: job.batchId ?? newBatchId(), segments }];
}

/** The job's `destination.batches` for these targets (segmentPerBatch only). */
export function destinationBatches(plan: ExportPlan): DestinationBatchSpec[] {
  return plan.targets.flatMap((target) =>
    (target.segments ?? []).map((segment) => ({ ...segment, batchId: target.batchId })),
  );
}

function splitPaths(fields: string | null): string[][] | null {
  return fields === null ? null : fields.split(',').map((path) => path.split('.'));
}

/** 32 hex digits, the shape of the platform's batch ids. */
function newBatchId(): string {
  return randomBytes(16).toString('hex');
}
