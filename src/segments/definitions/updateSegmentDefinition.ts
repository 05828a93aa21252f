import { and, eq, sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { segmentDefinitions, type SegmentDefinitionRow } from '../../db/schema';
import { ofTenant } from '../../db/tenantScope';
import { conflict, notFound } from '../../errors';
import type { Tenant } from '../../tenant';
import { IN_USE_MESSAGE, noLiveJobUses } from './liveJobsOfDefinition';
import { couldBeSegmentDefinitionId } from './segmentDefinitionId';
import { validateSegmentDefinitionChanges, type SegmentDefinitionChanges } from './validateSegmentDefinitionInput';

/**
 * Changes the fields `changes` gives (validated as on create, the expression
 * compiled) in one statement, and moves `updateTime`. NOT_FOUND when the tenant
 * has no definition with this id; nothing is written when any field is refused.
 * A new expression is refused (CONFLICT) while a NEW or PROCESSING job uses the
 * definition (liveJobsOfDefinition.ts); its name and description may change.
 */
export async function updateSegmentDefinition(
  db: AppDatabase,
  tenant: Tenant,
  id: string,
  changes: SegmentDefinitionChanges,
): Promise<SegmentDefinitionRow> {
  const spec = validateSegmentDefinitionChanges(changes);
  const missing = () => notFound(`Segment definition ${JSON.stringify(id)} does not exist`);
  if (!couldBeSegmentDefinitionId(id)) throw missing();
  const ofThisId = and(ofTenant(segmentDefinitions, tenant), eq(segmentDefinitions.id, id));
  const newExpression = spec.expressionValue !== undefined;
  const [row] = await db
    .update(segmentDefinitions)
    .set({ ...spec, updateTime: sql`now()` })
    .where(newExpression ? and(ofThisId, noLiveJobUses(tenant)) : ofThisId)
    .returning();
  if (row) return row;
  if (newExpression) {
    const [kept] = await db.select({ id: segmentDefinitions.id }).from(segmentDefinitions).where(ofThisId);
    if (kept) throw conflict(`The expression of segment definition ${id} cannot change: it ${IN_USE_MESSAGE}`);
  }
  throw missing();
}
