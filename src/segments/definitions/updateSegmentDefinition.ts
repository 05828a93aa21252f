import { and, eq, sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { segmentDefinitions, type SegmentDefinitionRow } from '../../db/schema';
import { ofTenant } from '../../db/tenantScope';
import { notFound } from '../../errors';
import type { Tenant } from '../../tenant';
import { couldBeSegmentDefinitionId } from './segmentDefinitionId';
import { validateSegmentDefinitionChanges, type SegmentDefinitionChanges } from './validateSegmentDefinitionInput';

/**
 * Changes the fields `changes` gives (validated as on create, the expression
 * compiled) in one statement, and moves `updateTime`. NOT_FOUND when the tenant
 * has no definition with this id; nothing is written when any field is refused.
 */
export async function updateSegmentDefinition(
  db: AppDatabase,
  tenant: Tenant,
  id: string,
  changes: SegmentDefinitionChanges,
): Promise<SegmentDefinitionRow> {
  const spec = validateSegmentDefinitionChanges(changes);
  const [row] = couldBeSegmentDefinitionId(id)
    ? await db
        .update(segmentDefinitions)
        .set({ ...spec, updateTime: sql`now()` })
        .where(and(ofTenant(segmentDefinitions, tenant), eq(segmentDefinitions.id, id)))
        .returning()
    : [];
  if (!row) throw notFound(`Segment definition ${JSON.stringify(id)} does not exist`);
  return row;
}
