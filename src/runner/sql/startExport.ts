import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { batches, exportJobs, type ExportJobRow } from '../../db/schema';
import { destinationBatches, type ExportPlan } from '../exportPlan';
import { heldBy } from './heldBy';

/**
 * Creates the batches of the plan and records them, the compute ids and the
 * start times on the job. A resumed run finds them all there already.
 */
export async function startExport(
  db: AppDatabase,
  job: ExportJobRow,
  plan: ExportPlan,
  runnerId: string,
): Promise<ExportJobRow | null> {
  return db.transaction(async (tx) => {
    // The fenced update first: a run whose job another run holds now (its lease ran out)
    // must not add a batch beside that run's, which would end up listed as an empty one.
    const [started] = await tx
      .update(exportJobs)
      .set({
        batchId: job.segmentPerBatch ? null : (plan.targets[0]?.batchId ?? null),
        batches: job.segmentPerBatch ? destinationBatches(plan) : null,
        computeExportJobId: job.computeExportJobId ?? randomUUID(),
        computePushJobId: job.computePushJobId ?? randomUUID(),
        profileExportStartedAt: sql`coalesce(${exportJobs.profileExportStartedAt}, now())`,
        updateTime: sql`now()`,
      })
      .where(heldBy(job.id, runnerId))
      .returning();
    if (!started) return null;
    await tx
      .insert(batches)
      .values(
        plan.targets.map((target) => ({
          id: target.batchId,
          orgId: job.orgId,
          sandboxName: job.sandboxName,
          datasetId: job.datasetId,
          jobId: job.id,
          segmentId: job.segmentPerBatch ? (target.segments?.[0]?.segmentId ?? null) : null,
          segmentNs: job.segmentPerBatch ? (target.segments?.[0]?.segmentNs ?? null) : null,
        })),
      )
      .onConflictDoNothing();
    return started;
  });
}
