import { and, eq, sql } from 'drizzle-orm';
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
  const rows = await db.execute<{ definition_id: string; id: string }>(sql`
    select distinct on (named.definition_id) named.definition_id, j.id
    from ${segmentJobs} j, unnest(j.segment_ids) as named(definition_id)
    where j.org_id = ${tenant.orgId} and j.sandbox_name = ${tenant.sandboxName}
      and j.segment_ids && ${sql.param([...definitionIds])}::text[]
      and named.definition_id = any(${sql.param([...definitionIds])}::text[])
      and j.status in ('SUCCEEDED', 'FAILED')
    order by named.definition_id, j.end_time desc, j.id desc`);
  const ids = [...new Set(rows.map((row) => row.id))];
  const jobs = ids.length
    ? await db
        .select()
        .from(segmentJobs)
        .where(and(ofTenant(segmentJobs, tenant), sql`${segmentJobs.id} = any(${sql.param(ids)}::text[])`))
    : [];
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const newestOf = new Map(rows.map((row) => [row.definition_id, byId.get(row.id) ?? null]));
  return definitionIds.map((id) => newestOf.get(id) ?? null);
}
