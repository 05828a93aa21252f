/** Maps a `datasets` row onto the `Dataset` type. */
import { listDatasetBatches } from '../../batches/listDatasetBatches';
import type { DatasetResolvers } from '../resolvers.generated';

export const Dataset: DatasetResolvers = {
  // A supergraph's reference `{ __typename: "Dataset", id }`: batched, tenant-scoped, null when absent.
  __resolveReference: (reference, { loaders }) => loaders.datasetById.load(reference.id),
  schemaRef: (dataset) => ({ id: dataset.schemaRefId, contentType: dataset.schemaRefContentType }),
  batches: (dataset, args, { db, tenant }) => listDatasetBatches(db, tenant, dataset.id, args),
};
