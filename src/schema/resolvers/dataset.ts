/** Maps a `datasets` row onto the `Dataset` type. */
import type { DatasetResolvers } from '../resolvers.generated';

export const Dataset: DatasetResolvers = {
  schemaRef: (dataset) => ({ id: dataset.schemaRefId, contentType: dataset.schemaRefContentType }),
};
