import DataLoader from 'dataloader';
import { findDatasets } from '../datasets/findDataset';
import type { Tenant } from '../tenant';
import type { AppDatabase } from './database';
import type { DatasetRow } from './schema';

/** Batches every dataset lookup of one request into one query. Create one per request. */
export function createDatasetLoader(db: AppDatabase, tenant: Tenant): DataLoader<string, DatasetRow | null> {
  return new DataLoader((ids) => findDatasets(db, tenant, ids));
}
