/**
 * The end of a segment's evaluation: memberships after the last profile walked.
 * A chunk moves the memberships of its own key range, and the last chunk's range
 * ends at the last profile it read; a membership past it belongs to a profile
 * gone since (its members are in `segment_memberships`, its profiles are not),
 * which qualifies no longer: it exits, by the same rules as in a chunk. A
 * membership whose profile exists (one added after the walk passed) is left
 * alone, as the walk left that profile.
 */
import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { exitsAt, type SegmentEvaluation } from './evaluateSegmentChunk';

/** Members past `after` whose profile is gone: EXITED at T. Counts them, and those a re-run at T finds already EXITED at T. */
export async function exitMembersPastLastProfile(
  db: AppDatabase,
  { tenant, segmentId, segmentNs, now }: SegmentEvaluation,
  after: string | null,
): Promise<{ exited: number; written: number }> {
  const at = sql`${now.toISOString()}::timestamptz`;
  const from = after ?? '';
  const [row] = await db.execute<{ exited: number | string; written: number | string }>(sql`
    with gone as materialized (
      select m.profile_id, m.status, m.qualification_time
      from segment_memberships m
      where m.org_id = ${tenant.orgId} and m.sandbox_name = ${tenant.sandboxName} and m.segment_id = ${segmentId}
        and (m.segment_id, m.profile_id) > (${segmentId}, ${from})
        and m.segment_ns = ${segmentNs}
        and ${exitsAt(sql.raw('m'), at)}
        and not exists (
          select 1 from profiles p
          where p.org_id = m.org_id and p.sandbox_name = m.sandbox_name and p.profile_id = m.profile_id
        )
    ),
    -- Only a row as it was read: one an ingest changed meanwhile (its profile back) is left to it.
    written as (
      update segment_memberships m
      set status = 'EXITED', qualification_time = ${at}
      from gone g
      where g.status <> 'EXITED'
        and m.org_id = ${tenant.orgId} and m.sandbox_name = ${tenant.sandboxName} and m.segment_id = ${segmentId}
        and m.segment_ns = ${segmentNs} and m.profile_id > ${from} and m.profile_id = g.profile_id
        and m.status = g.status and m.qualification_time = g.qualification_time
      returning 1
    )
    select (select count(*) from gone where status = 'EXITED') + (select count(*) from written) as exited,
      (select count(*) from written) as written`);
  return { exited: Number(row?.exited ?? 0), written: Number(row?.written ?? 0) };
}
