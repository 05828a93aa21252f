/** What every claim checks and takes turns on: the per-tenant limit of running work. */
import { sql, type SQL } from 'drizzle-orm';
import { statusIn } from '../../db/statuses';
import { EXPORT_JOB_HELD, SEGMENT_JOB_HELD } from '../../jobs/jobTransitions';

// Arbitrary constant: claims take turns, so the per-tenant limit holds even when runners claim at once.
export const CLAIM_LOCK_KEY = 727_002;

/**
 * The job's tenant runs fewer than `limit` jobs and parts under a live lease: export jobs
 * that are not sharded; sharded ones by their running parts, and as one at least while a
 * coordinator holds the job (between parts, writing its files); and segment jobs.
 *
 * `countingItself: false` leaves the export job `job` itself out: a job handed back after
 * an error keeps a lease until its retry wait ends, held by no runner, and must not stand
 * in its own way (its cancel would wait the whole wait at a limit of one). Not for a part,
 * whose job's other running parts do count.
 */
export function belowTenantLimit(job: SQL, limit: number, { countingItself = true } = {}): SQL {
  const others = countingItself ? sql`` : sql` and r.id <> ${job}.id`;
  return sql`(
    (select count(*) from export_jobs r
     where r.org_id = ${job}.org_id and r.sandbox_name = ${job}.sandbox_name
       and ${statusIn(sql`r.status`, EXPORT_JOB_HELD)} and r.locked_until >= now()${others}
       and not exists (select 1 from export_job_parts p where p.job_id = r.id))
    + (select coalesce(sum(greatest(
          case when r.locked_until >= now() then 1 else 0 end,
          (select count(*) from export_job_parts p where p.job_id = r.id and p.status = 'RUNNING' and p.locked_until >= now())
        )), 0)
       from export_jobs r
       where r.org_id = ${job}.org_id and r.sandbox_name = ${job}.sandbox_name
         and ${statusIn(sql`r.status`, EXPORT_JOB_HELD)}${others}
         and exists (select 1 from export_job_parts p where p.job_id = r.id))
    + (select count(*) from segment_jobs r
       where r.org_id = ${job}.org_id and r.sandbox_name = ${job}.sandbox_name
         and ${statusIn(sql`r.status`, SEGMENT_JOB_HELD)} and r.locked_until >= now())
  ) < ${limit}`;
}
