/**
 * The SQL conditions of an export's filter (README, "What a job exports"),
 * used by the slices that the count and the chunks both read (chunkSource.ts).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { SegmentFilterSpec } from '../../jobs/exportJobSpec';
import type { ExportPlan } from '../exportPlan';

/** A membership row `m` qualifies for `segment`: same id, same namespace if given, a listed status, in the window. */
export function membershipQualifies(plan: ExportPlan, segment: SegmentFilterSpec): SQL {
  const conditions: SQL[] = [
    sql`m.org_id = ${plan.orgId}`,
    sql`m.sandbox_name = ${plan.sandboxName}`,
    sql`m.segment_id = ${segment.segmentId}`,
    sql`m.status in (${sql.join(
      segment.status.map((status) => sql`${status}`),
      sql`, `,
    )})`,
  ];
  if (segment.segmentNs !== null) conditions.push(sql`m.segment_ns = ${segment.segmentNs}`);
  if (plan.qualifiedFrom !== null) conditions.push(sql`m.qualification_time >= ${plan.qualifiedFrom}::timestamptz`);
  if (plan.qualifiedBefore !== null) conditions.push(sql`m.qualification_time < ${plan.qualifiedBefore}::timestamptz`);
  return sql.join(conditions, sql` and `);
}

/** The conditions on the profile row `p` itself: tenant, record, update time. */
export function profileQualifies(plan: ExportPlan): SQL {
  const conditions: SQL[] = [sql`p.org_id = ${plan.orgId}`, sql`p.sandbox_name = ${plan.sandboxName}`];
  if (!plan.emptyProfiles) conditions.push(sql`p.has_profile_record`);
  if (plan.updatedAfter !== null) conditions.push(sql`p.updated_at > ${plan.updatedAfter}::timestamptz`);
  return sql.join(conditions, sql` and `);
}
