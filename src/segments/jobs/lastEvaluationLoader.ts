import DataLoader from 'dataloader';
import { lastEvaluations } from './findSegmentJob';
import type { Tenant } from '../../tenant';
import type { AppDatabase } from '../../db/database';
import type { SegmentJobRow } from '../../db/schema';

/** Batches the `lastEvaluation` of every definition of one request into one query. Create one per request. */
export function createLastEvaluationLoader(db: AppDatabase, tenant: Tenant): DataLoader<string, SegmentJobRow | null> {
  return new DataLoader((definitionIds) => lastEvaluations(db, tenant, definitionIds));
}
