/** Maps a `batches` row onto the `Batch` type. */
import { listBatchRecords } from '../../batches/listBatchRecords';
import type { BatchResolvers, BatchStatus } from '../resolvers.generated';

export const Batch: BatchResolvers = {
  jobId: (batch) => String(batch.jobId),
  // The table's check constraint admits exactly the values of BatchStatus.
  status: (batch) => batch.status as BatchStatus,
  records: (batch, args, { db, tenant }) => listBatchRecords(db, tenant, batch, args),
};
