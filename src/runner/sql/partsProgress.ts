import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import type { ExportJobStatus } from '../../jobs/exportJobStatus';

/** Where a sharded job's parts are, as its coordinator last summed them. */
export interface PartsProgress {
  /** The job's status: CANCELLING when a client cancelled it. */
  status: ExportJobStatus;
  /** Parts not yet read to their end (PENDING or RUNNING). */
  open: number;
  /** The error of a part that failed for good; null while none has. */
  failure: string | null;
}

/**
 * Sums the parts' counters into the job's (its event trigger announces the progress, as
 * a chunk's does) and into its batches' record counts, and renews the job's lease.
 * Null when `runnerId` no longer holds the job. Parts' chunks never touch these rows:
 * this is the one writer, so the sums are exact once every part is DONE.
 */
export async function sumParts(db: AppDatabase, jobId: number, runnerId: string, leaseMs: number): Promise<PartsProgress | null> {
  const [row] = await db.execute<{ status: ExportJobStatus | null; open: number | string; failure: string | null }>(sql`
    with parts as materialized (select * from export_job_parts where job_id = ${jobId}),
    totals as (
      select coalesce(sum(processed_profiles), 0)::int as processed,
             coalesce(sum(exported_profiles), 0)::int as exported,
             count(*) filter (where status in ('PENDING', 'RUNNING')) as open,
             min(error) filter (where status = 'FAILED') as failure
      from parts
    ),
    namespaces as (
      select key, sum(value::int)::int as n from parts, jsonb_each_text(parts.exported_profiles_by_namespace) group by key
    ),
    batch_counts as (
      select key as batch_id, sum(value::int)::int as n from parts, jsonb_each_text(parts.records_by_batch) group by key
    ),
    job as (
      update export_jobs j set
        processed_profiles = t.processed,
        exported_profiles = t.exported,
        exported_profiles_by_namespace = (select coalesce(jsonb_object_agg(key, n), '{}'::jsonb) from namespaces),
        locked_until = now() + ${leaseMs} * interval '1 millisecond',
        update_time = case when j.processed_profiles = t.processed then j.update_time else now() end
      from totals t
      where j.id = ${jobId} and j.locked_by = ${runnerId}
      returning j.status
    ),
    counted_batches as (
      update batches b set record_count = c.n
      from batch_counts c
      where b.id = c.batch_id and b.record_count <> c.n and exists (select 1 from job)
      returning b.id
    )
    select (select status from job) as status, open, failure from totals`);
  if (!row?.status) return null;
  return { status: row.status, open: Number(row.open), failure: row.failure };
}
