import type { ExportJobRow } from '../db/schema';

/** How far a job is, 0 to 100 with one decimal; a succeeded job is 100 whatever it counted. */
export function percentDone(job: Pick<ExportJobRow, 'status' | 'processedProfiles' | 'totalProfiles'>): number {
  if (job.status === 'SUCCEEDED') return 100;
  if (!job.totalProfiles) return 0;
  return Math.min(100, Math.round((job.processedProfiles / job.totalProfiles) * 1000) / 10);
}

/** A job's `ExportJobProgress`. */
export interface Progress {
  processedProfiles: number;
  totalProfiles: number | null;
  percent: number;
}

/** The `ExportJobProgress` of a job, as the API, events and snapshots show it. */
export function progressOf(job: Pick<ExportJobRow, 'status' | 'processedProfiles' | 'totalProfiles'>): Progress {
  return { processedProfiles: job.processedProfiles, totalProfiles: job.totalProfiles, percent: percentDone(job) };
}
