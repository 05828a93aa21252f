/**
 * The files of the batches of one request, in one statement: a page of 100
 * batches listing their files costs one query, not 100.
 */
import DataLoader from 'dataloader';
import { and, asc, inArray } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { batchFiles, type BatchFileRow } from '../db/schema';
import { ofTenant } from '../db/tenantScope';
import type { Tenant } from '../tenant';

/** Create one per request. */
export function createBatchFilesLoader(db: AppDatabase, tenant: Tenant): DataLoader<string, BatchFileRow[]> {
  return new DataLoader(async (batchIds) => {
    const rows = await db
      .select()
      .from(batchFiles)
      .where(and(ofTenant(batchFiles, tenant), inArray(batchFiles.batchId, [...batchIds])))
      .orderBy(asc(batchFiles.batchId), asc(batchFiles.fileIndex));
    const byBatch = new Map<string, BatchFileRow[]>();
    for (const row of rows) {
      const files = byBatch.get(row.batchId);
      if (files) files.push(row);
      else byBatch.set(row.batchId, [row]);
    }
    return batchIds.map((id) => byBatch.get(id) ?? []);
  });
}
