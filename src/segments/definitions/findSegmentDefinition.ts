import { and, eq } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { segmentDefinitions, type SegmentDefinitionRow } from '../../db/schema';
import { ofTenant } from '../../db/tenantScope';
import type { Tenant } from '../../tenant';
import { couldBeSegmentDefinitionId } from './segmentDefinitionId';

/** The tenant's segment definition with this id, or null (another tenant's is null too). */
export async function findSegmentDefinition(
  db: AppDatabase,
  tenant: Tenant,
  id: string,
): Promise<SegmentDefinitionRow | null> {
  if (!couldBeSegmentDefinitionId(id)) return null;
  const [row] = await db
    .select()
    .from(segmentDefinitions)
    .where(and(ofTenant(segmentDefinitions, tenant), eq(segmentDefinitions.id, id)));
  return row ?? null;
}
