import DataLoader from 'dataloader';
import { findExportJobs } from './findExportJob';
import type { Tenant } from '../tenant';
import type { AppDatabase } from '../db/database';
import type { ExportJobRow } from '../db/schema';

/**
 * Batches every job lookup by id of one request into one query: a supergraph's
 * `_entities` call with N job representations costs one statement. Create one per request.
 */
export function createExportJobLoader(db: AppDatabase, tenant: Tenant): DataLoader<string, ExportJobRow | null> {
  return new DataLoader((ids) => findExportJobs(db, tenant, ids));
}
