import DataLoader from 'dataloader';
import { findSegmentDefinitions } from '../segments/definitions/findSegmentDefinition';
import type { Tenant } from '../tenant';
import type { AppDatabase } from './database';
import type { SegmentDefinitionRow } from './schema';

/** Batches every segment definition lookup of one request into one query. Create one per request. */
export function createSegmentDefinitionLoader(
  db: AppDatabase,
  tenant: Tenant,
): DataLoader<string, SegmentDefinitionRow | null> {
  return new DataLoader((ids) => findSegmentDefinitions(db, tenant, ids));
}
