import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { segmentJobs, type SegmentJobRow } from '../../db/schema';
import { ofTenant } from '../../db/tenantScope';
import type { Tenant } from '../../tenant';
import { LOWERCASE_UUID_PATTERN } from '../../uuidPattern';

/** The tenant's segment job with this id, or null (another tenant's is null too). */
export async function findSegmentJob(db: AppDatabase, tenant: Tenant, id: string): Promise<SegmentJobRow | null> {
  if (!LOWERCASE_UUID_PATTERN.test(id)) return null;
  const [row] = await db
    .select()
    .from(segmentJobs)
    .where(and(ofTenant(segmentJobs, tenant), eq(segmentJobs.id, id)));
  return row ?? null;
}

/**
 * For each definition id, the newest of the tenant's segment jobs that named it
 * and ended (SUCCEEDED or FAILED), or null: `SegmentDefinition.lastEvaluation`
 * for a whole page of definitions in one statement.
 */
export async function lastEvaluations(
  db: AppDatabase,
  tenant: Tenant,
  definitionIds: readonly string[],
): Promise<(SegmentJobRow | null)[]> {
  const ids = sql.param([...definitionIds]);
  const definitionId = sql<string>`named.definition_id`;
  const rows = await db
    .selectDistinctOn([definitionId], { definitionId, job: segmentJobs })
    .from(segmentJobs)
    .crossJoin(sql`unnest(${segmentJobs.segmentIds}) as named(definition_id)`)
    .where(
      and(
        ofTenant(segmentJobs, tenant),
        // The GIN index on segment_ids finds the jobs; the unnest keeps the names asked for.
        sql`${segmentJobs.segmentIds} && ${ids}::text[]`,
        sql`${definitionId} = any(${ids}::text[])`,
        inArray(segmentJobs.status, ['SUCCEEDED', 'FAILED']),
      ),
    )
    .orderBy(definitionId, desc(segmentJobs.endTime), desc(segmentJobs.id));
  const newestOf = new Map(rows.map((row) => [row.definitionId, row.job]));
  return definitionIds.map((id) => newestOf.get(id) ?? null);
}
