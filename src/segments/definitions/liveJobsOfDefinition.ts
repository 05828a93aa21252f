/**
 * The jobs that hold a definition in use while they wait or run: a delete is refused while
 * any exists, and a change of its expression while one has it still to evaluate, since a run
 * handed back (a restart, a passing database error) evaluates the definition again at the
 * same time T and must find what the first run evaluated. Conditions on a `segment_definitions` row, for a guarded
 * statement's `where`.
 */
import { and, sql, type SQL } from 'drizzle-orm';
import { exportJobs, segmentDefinitions, segmentJobs } from '../../db/schema';
import { jobsOfTenant, ofTenant } from '../../db/tenantScope';
import type { Tenant } from '../../tenant';

/** No job of the tenant, NEW or PROCESSING, names or evaluates the row's definition. */
export function noLiveJobUses(tenant: Tenant): SQL {
  return sql`not exists (select 1 from ${exportJobs} where ${usedByLiveJob(tenant)})
    and not exists (select 1 from ${segmentJobs} where ${evaluatedByLiveSegmentJob(tenant)})`;
}

/**
 * No job of the tenant has the row's definition still to evaluate: a segment job NEW or
 * PROCESSING, or an export that evaluates its segments (`evaluationInfo.segmentation`) and
 * has not finished doing so. An export that only reads memberships does not read the expression.
 */
export function noLiveEvaluationUses(tenant: Tenant): SQL {
  return sql`not exists (select 1 from ${exportJobs} where ${usedByLiveJob(tenant)}
      and ${exportJobs.evaluateSegments} and ${exportJobs.segmentationFinishedAt} is null)
    and not exists (select 1 from ${segmentJobs} where ${evaluatedByLiveSegmentJob(tenant)})`;
}

export const IN_USE_MESSAGE = 'is used by an export or segment job that is NEW or PROCESSING; cancel it or wait for its end';

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
