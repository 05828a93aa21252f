import { eq, sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { exportJobs, type ExportJobRow } from '../../db/schema';

// Arbitrary constant: claims take turns, so the per-tenant limit holds even when runners claim at once.
const CLAIM_LOCK_KEY = 727_002;

/**
 * Takes the oldest job that wants work (NEW, or PROCESSING/CANCELLING whose
 * lease expired: its runner died) from a tenant running fewer than
 * `tenantLimit` jobs, under a lease for `runnerId`. Null when there is none.
 */
export async function claimJob(
  db: AppDatabase,
  options: { runnerId: string; leaseMs: number; tenantLimit: number },
): Promise<ExportJobRow | null> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${CLAIM_LOCK_KEY})`);
    const candidate = sql`(
      select j.id from export_jobs j
      where (j.status = 'NEW' or (j.status in ('PROCESSING', 'CANCELLING') and coalesce(j.locked_until < now(), true)))
        and (select count(*) from export_jobs r
             where r.org_id = j.org_id and r.sandbox_name = j.sandbox_name
               and r.status in ('PROCESSING', 'CANCELLING') and r.locked_until >= now()) < ${options.tenantLimit}
      order by j.creation_time, j.id
      limit 1
      for update skip locked)`;
    const [claimed] = await tx
      .update(exportJobs)
      .set({
        status: sql`case when ${exportJobs.status} = 'NEW' then 'PROCESSING' else ${exportJobs.status} end`,
        lockedBy: options.runnerId,
        lockedUntil: sql`now() + ${options.leaseMs} * interval '1 millisecond'`,
        attempts: sql`${exportJobs.attempts} + 1`,
        updateTime: sql`now()`,
      })
      .where(eq(exportJobs.id, candidate))
      .returning();
    return claimed ?? null;
  });
}
