import { and, eq } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { segmentDefinitions } from '../../db/schema';
import { ofTenant } from '../../db/tenantScope';
import { conflict, notFound } from '../../errors';
import type { Tenant } from '../../tenant';
import { IN_USE_MESSAGE, noLiveJobUses } from './liveJobsOfDefinition';
import { couldBeSegmentDefinitionId } from './segmentDefinitionId';

/**
 * Deletes the tenant's definition unless a NEW or PROCESSING export job names
 * it in `filter.segments`, or a NEW or PROCESSING segment job evaluates it (CONFLICT); NOT_FOUND when the tenant has none with
 * this id. One guarded DELETE decides. Returns the id.
 */
export async function deleteSegmentDefinition(db: AppDatabase, tenant: Tenant, id: string): Promise<string> {
  if (!couldBeSegmentDefinitionId(id)) throw notFound(`Segment definition ${JSON.stringify(id)} does not exist`);
  const [deleted] = await db
    .delete(segmentDefinitions)
    .where(and(ofTenant(segmentDefinitions, tenant), eq(segmentDefinitions.id, id), noLiveJobUses(tenant)))
    .returning({ id: segmentDefinitions.id });
  if (deleted) return deleted.id;
  const [kept] = await db
    .select({ id: segmentDefinitions.id })
    .from(segmentDefinitions)
    .where(and(ofTenant(segmentDefinitions, tenant), eq(segmentDefinitions.id, id)));
  if (!kept) throw notFound(`Segment definition ${JSON.stringify(id)} does not exist`);
  throw conflict(`Segment definition ${id} ${IN_USE_MESSAGE}`);
}
