import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { exportJobs, segmentDefinitions, segmentJobs } from '../../db/schema';
import { jobsOfTenant, ofTenant } from '../../db/tenantScope';
import { conflict, notFound } from '../../errors';
import type { Tenant } from '../../tenant';
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
    .where(
      and(
        ofTenant(segmentDefinitions, tenant),
        eq(segmentDefinitions.id, id),
        sql`not exists (select 1 from ${exportJobs} where ${usedByLiveJob(tenant)})`,
        sql`not exists (select 1 from ${segmentJobs} where ${evaluatedByLiveSegmentJob(tenant)})`,
      ),
    )
    .returning({ id: segmentDefinitions.id });
  if (deleted) return deleted.id;
  const [kept] = await db
    .select({ id: segmentDefinitions.id })
    .from(segmentDefinitions)
    .where(and(ofTenant(segmentDefinitions, tenant), eq(segmentDefinitions.id, id)));
  if (!kept) throw notFound(`Segment definition ${JSON.stringify(id)} does not exist`);
  throw conflict(`Segment definition ${id} is used by an export or segment job that is NEW or PROCESSING; cancel it or wait for its end`);
}

/**
 * A job of the tenant, still to run or running, whose filter names the row's
 * definition: its segment id with its namespace (`ups`) or with none.
 * Containment (`@>`) is false on a filter without segments (JSON null), never an error.
 */
function usedByLiveJob(tenant: Tenant) {
  const named = (segmentNs: SQL) =>
    sql`${exportJobs.filter} -> 'segments' @> jsonb_build_array(jsonb_build_object('segmentId', ${segmentDefinitions.id}, 'segmentNs', ${segmentNs}))`;
  return and(
    jobsOfTenant(tenant),
    sql`${exportJobs.status} in ('NEW', 'PROCESSING')`,
    sql`(${named(sql`${segmentDefinitions.segmentNs}`)} or ${named(sql`null::text`)})`,
  );
}

/** A segment job of the tenant, still to run or running, that evaluates the row's definition. */
function evaluatedByLiveSegmentJob(tenant: Tenant) {
  return and(
    ofTenant(segmentJobs, tenant),
    sql`${segmentJobs.status} in ('NEW', 'PROCESSING')`,
    sql`${segmentJobs.segmentIds} @> array[${segmentDefinitions.id}]`,
  );
}
