/** Maps a `datasets` row onto the `Dataset` type. */
import type { DatasetResolvers } from '../resolvers.generated';

export const Dataset: DatasetResolvers = {
  // A supergraph's reference `{ __typename: "Dataset", id }`: batched, tenant-scoped, null when absent.
  __resolveReference: (reference, { loaders }) => loaders.datasetById.load(reference.id),
  schemaRef: (dataset) => ({ id: dataset.schemaRefId, contentType: dataset.schemaRefContentType }),
  // Batched: a list of datasets costs one statement for their pages (and one for their totals), not one per dataset.
  batches: (dataset, args, { loaders }) => loaders.datasetBatches.load(dataset.id, args),
};
