import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { AppDatabase, AppTransaction } from '../../db/database';
import { exportJobParts, exportJobs, type ExportJobPartRow, type ExportJobRow } from '../../db/schema';
import type { ClaimOptions } from './claimJob';
import { belowTenantLimit, CLAIM_LOCK_KEY } from './tenantLimit';

/** A part a runner took, with its job as it is now. */
export interface ClaimedPart {
  part: ExportJobPartRow;
  job: ExportJobRow;
}

/** A part that wants work: PENDING, or RUNNING whose runner's lease expired. */
function partWantsWork(part: SQL): SQL {
  return sql`(${part}.status = 'PENDING' or (${part}.status = 'RUNNING' and coalesce(${part}.locked_until < now(), true)))`;
}

/**
 * A part to claim: it wants work, and its job goes on — PROCESSING, and no part of it
 * failed (its coordinator is about to end it: a part read now would be thrown away).
 */
export function partToClaim(part: SQL, job: SQL): SQL {
  return sql`${partWantsWork(part)} and ${job}.status = 'PROCESSING'
    and not exists (select 1 from export_job_parts failed where failed.job_id = ${part}.job_id and failed.status = 'FAILED')`;
}

/**
 * Takes the first part of `jobId` to claim, as `claimNext` takes any. The job's
 * coordinator runs its own parts this way. The tenant's limit counts the job once
 * while its coordinator holds it, so the coordinator's first running part is free.
 */
export async function claimPartOf(db: AppDatabase, jobId: number, options: ClaimOptions): Promise<ClaimedPart | null> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${CLAIM_LOCK_KEY})`);
    const [first] = await tx.execute<{ part: number }>(sql`
      select p.part from export_job_parts p join export_jobs j on j.id = p.job_id
      where p.job_id = ${jobId} and ${partToClaim(sql`p`, sql`j`)}
        and (not exists (select 1 from export_job_parts r where r.job_id = ${jobId} and r.status = 'RUNNING' and r.locked_until >= now())
             or ${belowTenantLimit(sql`j`, options.tenantLimit)})
      order by p.part limit 1
      -- A part whose expired lease's last chunk is still in flight is passed over, not waited for.
      for update of p skip locked`);
    return first ? takePart(tx, jobId, Number(first.part), options) : null;
  });
}

/** Claims one part under a lease for `options.runnerId`, checking again that it wants work. */
export async function takePart(
  tx: AppTransaction,
  jobId: number,
  part: number,
  options: ClaimOptions,
): Promise<ClaimedPart | null> {
  // Not waited for: a part whose expired lease's last chunk is still in flight holds its row.
  const [free] = await tx.execute(sql`
    select p.part from export_job_parts p
    where p.job_id = ${jobId} and p.part = ${part} and ${partWantsWork(sql`p`)}
    for update skip locked`);
  if (!free) return null;
  const [claimed] = await tx
    .update(exportJobParts)
    .set({
      status: 'RUNNING',
      lockedBy: options.runnerId,
      lockedUntil: sql`now() + ${options.leaseMs} * interval '1 millisecond'`,
      attempts: sql`${exportJobParts.attempts} + 1`,
    })
    .where(sql`${and(eq(exportJobParts.jobId, jobId), eq(exportJobParts.part, part))} and ${partWantsWork(sql`${exportJobParts}`)}`)
    .returning();
  if (!claimed) return null;
  const [job] = await tx.select().from(exportJobs).where(eq(exportJobs.id, jobId));
  return job ? { part: claimed, job } : null;
}
