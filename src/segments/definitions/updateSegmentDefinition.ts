import { and, eq, sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { segmentDefinitions, type SegmentDefinitionRow } from '../../db/schema';
import { ofTenant } from '../../db/tenantScope';
import { conflict, notFound } from '../../errors';
import type { Tenant } from '../../tenant';
import { noLiveEvaluationUses } from './liveJobsOfDefinition';
import { couldBeSegmentDefinitionId } from './segmentDefinitionId';
import { validateSegmentDefinitionChanges, type SegmentDefinitionChanges } from './validateSegmentDefinitionInput';

/**
 * Changes the fields `changes` gives (validated as on create, the expression
 * compiled) in one statement, and moves `updateTime`. NOT_FOUND when the tenant
 * has no definition with this id; nothing is written when any field is refused.
 * A new expression is refused (CONFLICT) while a NEW or PROCESSING job has the
 * definition still to evaluate (liveJobsOfDefinition.ts); its name and description may change.
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
  // The same expression sent again (a form that sends every field) changes nothing evaluated.
  const unchangedOrFree = sql`(${segmentDefinitions.expressionValue} = ${spec.expressionValue ?? null} or ${noLiveEvaluationUses(tenant)})`;
  const [row] = await db
    .update(segmentDefinitions)
    .set({ ...spec, updateTime: sql`now()` })
    .where(newExpression ? and(ofThisId, unchangedOrFree) : ofThisId)
    .returning();
  if (row) return row;
  if (newExpression) {
    const [kept] = await db.select({ id: segmentDefinitions.id }).from(segmentDefinitions).where(ofThisId);
    if (kept) {
      throw conflict(
        `The expression of segment definition ${id} cannot change while a segment job or an export with evaluationInfo.segmentation evaluates it (NEW or PROCESSING); cancel it or wait for its end`,
      );
    }
  }
  throw missing();
}
