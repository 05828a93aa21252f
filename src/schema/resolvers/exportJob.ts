/** Maps an `export_jobs` row onto the `ExportJob` type of the contract. */
import { outputOf } from '../../files/outputSpec';
import { progressOf } from '../../jobs/progress';
import type { ExportJobResolvers, ExportJobType, TimeSpan } from '../resolvers.generated';

export const ExportJob: ExportJobResolvers = {
  // A supergraph's reference `{ __typename: "ExportJob", id }`: batched, tenant-scoped, null when absent.
  __resolveReference: (reference, { loaders }) => loaders.exportJobById.load(reference.id),
  id: (job) => String(job.id),
  jobType: (job) => job.jobType as ExportJobType,
  status: (job) => job.status,
  schema: (job) => ({ name: job.schemaName }),
  mergePolicy: (job) => ({ id: job.mergePolicyId, version: job.mergePolicyVersion }),
  destination: (job) => ({
    datasetId: job.datasetId,
    segmentPerBatch: job.segmentPerBatch,
    batchId: job.batchId,
    batches: job.batches,
  }),
  evaluationInfo: (job) => ({ segmentation: job.evaluateSegments }),
  metrics: (job) => ({
    totalTime: timeSpan(job.creationTime, job.finishedAt),
    profileExportTime: timeSpan(job.profileExportStartedAt, job.profileExportFinishedAt),
    datasetWriteTime: timeSpan(job.datasetWriteStartedAt, job.datasetWriteFinishedAt),
    // An evaluation the job's end stopped ends with it (its own end stays unset: see endJobWithoutResult).
    segmentationTime: timeSpan(job.segmentationStartedAt, job.segmentationFinishedAt ?? (job.segmentationStartedAt && job.finishedAt)),
    segmentedProfileCounter: job.segmentedProfiles,
    totalExportedProfileCounter: job.exportedProfiles,
    exportedProfileByNamespaceCounter: Object.entries(job.exportedProfilesByNamespace).map(([namespace, count]) => ({
      namespace,
      count,
    })),
  }),
  progress: progressOf,
  computeGatewayJobId: (job) =>
    job.computeExportJobId || job.computePushJobId
      ? { exportJob: job.computeExportJobId, pushJob: job.computePushJobId }
      : null,
  imsOrgId: (job) => job.orgId,
  dataset: (job, _args, context) => context.loaders.datasetById.load(job.datasetId),
  output: outputOf,
};

function timeSpan(start: Date | null, end: Date | null): TimeSpan {
  return { startTime: start, endTime: end, totalTimeInMs: start && end ? end.getTime() - start.getTime() : null };
}
