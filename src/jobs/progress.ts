import type { ExportJobRow } from '../db/schema';

/** How far a job's export is, 0 to 100 with one decimal; a succeeded job is 100 whatever it counted. */
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

/**
 * What a progress is read from: a job row (`progressPercent`, the database's
 * figure: migration 0019), or an event (`percent`, the figure its job had then).
 * An event stored before that migration has neither, and gets the export's share.
 */
export type ProgressSource = Pick<ExportJobRow, 'status' | 'processedProfiles' | 'totalProfiles'> & {
  progressPercent?: number | null;
  percent?: number | null;
};

/**
 * The `ExportJobProgress` of a job, as the API, events and snapshots show it.
 * `processedProfiles` and `totalProfiles` are the export's; `percent` covers the
 * segment evaluation too, as its first half, when the job asks for one.
 */
export function progressOf(source: ProgressSource): Progress {
  return {
    processedProfiles: source.processedProfiles,
    totalProfiles: source.totalProfiles,
    percent: source.progressPercent ?? source.percent ?? percentDone(source),
  };
}
