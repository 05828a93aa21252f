/** Maps a `datasets` row onto the `Dataset` type. */
import { listDatasetBatches } from '../../batches/listDatasetBatches';
import type { DatasetResolvers } from '../resolvers.generated';

export const Dataset: DatasetResolvers = {
  schemaRef: (dataset) => ({ id: dataset.schemaRefId, contentType: dataset.schemaRefContentType }),
  batches: (dataset, args, { db, tenant }) => listDatasetBatches(db, tenant, dataset.id, args),
};
