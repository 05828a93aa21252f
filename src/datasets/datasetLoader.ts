import DataLoader from 'dataloader';
import { findDatasets } from './findDataset';
import type { Tenant } from '../tenant';
import type { AppDatabase } from '../db/database';
import type { DatasetRow } from '../db/schema';

/** Batches every dataset lookup of one request into one query. Create one per request. */
export function createDatasetLoader(db: AppDatabase, tenant: Tenant): DataLoader<string, DatasetRow | null> {
  return new DataLoader((ids) => findDatasets(db, tenant, ids));
}
