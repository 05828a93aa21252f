/** Maps a `batches` row onto the `Batch` type. */
import { hasExpired } from '../../batches/resultExpiry';
import { batchManifest } from '../../files/batchManifest';
import { DEFAULT_OUTPUT, outputOf } from '../../files/outputSpec';
import type { BatchResolvers } from '../resolvers.generated';

export const Batch: BatchResolvers = {
  jobId: (batch) => String(batch.jobId),
  // A batch past its expiry is EXPIRED before the sweeper has come by.
  status: (batch) => (hasExpired(batch) ? 'EXPIRED' : batch.status),
  records: (batch, args, { loaders }) => loaders.batchRecords(batch, args),
  files: async (batch, _args, { loaders }) => (hasExpired(batch) ? [] : loaders.filesOfBatch.load(batch.id)),
  manifest: async (batch, _args, { loaders }) => {
    const [files, job] = await Promise.all([
      hasExpired(batch) ? [] : loaders.filesOfBatch.load(batch.id),
      loaders.exportJobById.load(String(batch.jobId)),
    ]);
    return batchManifest(batch, job ? outputOf(job) : DEFAULT_OUTPUT, files);
  },
};
