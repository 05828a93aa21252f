import DataLoader from 'dataloader';
import { findSegmentDefinitions } from './findSegmentDefinition';
import type { Tenant } from '../../tenant';
import type { AppDatabase } from '../../db/database';
import type { SegmentDefinitionRow } from '../../db/schema';

/** Batches every segment definition lookup of one request into one query. Create one per request. */
export function createSegmentDefinitionLoader(
  db: AppDatabase,
  tenant: Tenant,
): DataLoader<string, SegmentDefinitionRow | null> {
  return new DataLoader((ids) => findSegmentDefinitions(db, tenant, ids));
}
