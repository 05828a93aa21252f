import type { ExportJobRow } from '../db/schema';

/** A job's `ExportJobProgress`. */
export interface Progress {
  processedProfiles: number;
  totalProfiles: number | null;
  percent: number;
}

/**
 * The `ExportJobProgress` of a job, as the API, events and snapshots show it.
 * `processedProfiles` and `totalProfiles` are the export's; `percent` is the
 * database's figure (export_jobs.progress_percent, migration 0019), which covers
 * the segment evaluation too, as its first half, when the job asks for one.
 */
export function progressOf(job: Pick<ExportJobRow, 'processedProfiles' | 'totalProfiles' | 'progressPercent'>): Progress {
  return {
    processedProfiles: job.processedProfiles,
    totalProfiles: job.totalProfiles,
    // Generated, so typed nullable; its expression is never NULL.
    percent: job.progressPercent ?? 0,
  };
}

/** The progress an event carries: its job's as the event left it. */
export function progressOfEvent(event: { processedProfiles: number; totalProfiles: number | null; percent: number }): Progress {
  return { processedProfiles: event.processedProfiles, totalProfiles: event.totalProfiles, percent: event.percent };
}
