import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { exportJobs } from '../../db/schema';
import type { ExportJobStatus } from '../../jobs/exportJobStatus';
import { heldBy } from './heldBy';

/**
 * Opens the segmentation phase of a run: its evaluation time T is set by the
 * first run and kept by the next ones (a resumed run evaluates again at the
 * same T). The count of profiles evaluated is kept: the evaluation starts again
 * from zero, and `recordSegmentedProfiles` keeps the greater count, so that
 * `progress.percent` never goes back. Null when the lease is no longer ours.
 */
export async function startSegmentation(db: AppDatabase, jobId: number, runnerId: string): Promise<Date | null> {
  const [row] = await db
    .update(exportJobs)
    .set({
      segmentationStartedAt: sql`coalesce(${exportJobs.segmentationStartedAt}, now())`,
      updateTime: sql`now()`,
    })
    .where(heldBy(jobId, runnerId))
    .returning({ startedAt: exportJobs.segmentationStartedAt });
  return row?.startedAt ?? null;
}

/**
 * After each evaluation chunk: the profiles evaluated so far, and the lease
 * extended as an export chunk extends it. Answers the job's status (a client's
 * cancel shows as CANCELLING), or null when the lease is no longer ours.
 */
export async function recordSegmentedProfiles(
  db: AppDatabase,
  jobId: number,
  runnerId: string,
  segmentedProfiles: number,
  leaseMs: number,
): Promise<ExportJobStatus | null> {
  const [row] = await db
    .update(exportJobs)
    .set({
      segmentedProfiles: sql`greatest(${exportJobs.segmentedProfiles}, ${segmentedProfiles})`,
      lockedUntil: sql`now() + ${leaseMs} * interval '1 millisecond'`,
    })
    .where(heldBy(jobId, runnerId))
    .returning({ status: exportJobs.status });
  return row?.status ?? null;
}

/**
 * The phase's total, once counted beside the evaluation: what `progress.percent`
 * measures `segmentedProfiles` against while the phase runs.
 */
export async function recordSegmentationTotal(db: AppDatabase, jobId: number, runnerId: string, total: number): Promise<void> {
  await db.update(exportJobs).set({ segmentationTotal: total }).where(heldBy(jobId, runnerId));
}

/**
 * Closes the phase: a later run of the job goes straight to the export; its total
 * is now exact. False when the lease is no longer ours.
 */
export async function finishSegmentation(
  db: AppDatabase,
  jobId: number,
  runnerId: string,
  segmentedProfiles: number,
): Promise<boolean> {
  const rows = await db
    .update(exportJobs)
    .set({ segmentationFinishedAt: sql`now()`, segmentedProfiles, segmentationTotal: segmentedProfiles, updateTime: sql`now()` })
    .where(heldBy(jobId, runnerId))
    .returning({ id: exportJobs.id });
  return rows.length > 0;
}
