import type { RunnerOptions } from './runnerOptions';

/**
 * Sizes chunks by time rather than by count: from what the statements took so
 * far (a moving average of the time per unit of size), the next size is the
 * one that should take about `targetMs`. A statement holds the job row, and on
 * PGlite the only connection, for its whole run, so its length bounds how long
 * an API request or a lease renewal can wait behind it.
 */
export interface ChunkSizer {
  /** What the next statement should take (its `limit`). */
  readonly size: number;
  /**
   * How long the last statement took; `final`: it reached the end of the data, and may
   * have had less to do; `units`: how many it did, when not the `size` asked (a key range
   * holds about as many as asked, not exactly).
   */
  record(elapsedMs: number, final: boolean, units?: number): void;
}

export interface ChunkSizerOptions {
  /** The most any statement may take. */
  max: number;
  /** How long a statement should take. */
  targetMs: number;
  /** The size of the first statement; default the smaller of `max` and 250, so a cold start is short too. */
  initial?: number;
}

// The size at most doubles from one statement to the next: a fast statement on cached
// pages says little about the next, which may read from disk.
const MAX_GROWTH = 2;
// Weight of the newest measurement in the moving average.
const NEWEST_WEIGHT = 0.5;

export function chunkSizer({ max, targetMs, initial = Math.min(max, 250) }: ChunkSizerOptions): ChunkSizer {
  let size = Math.max(1, Math.min(max, initial));
  let msPerUnit: number | undefined;
  return {
    get size() {
      return size;
    },
    record(elapsedMs, final, units = size) {
      if (final || units < 1) return;
      const measured = elapsedMs / units;
      msPerUnit = msPerUnit === undefined ? measured : NEWEST_WEIGHT * measured + (1 - NEWEST_WEIGHT) * msPerUnit;
      const wanted = Math.round(targetMs / Math.max(msPerUnit, 1e-6));
      size = Math.max(1, Math.min(max, size * MAX_GROWTH, wanted));
    },
  };
}

/**
 * The sizes of a run's light statements (count slices, deletes of partial
 * records): they read no documents, so each may take many chunks' worth of rows.
 */
export function lightStatementSizer(
  options: Pick<RunnerOptions, 'chunkSize' | 'chunkTargetMs'>,
  targetMs = options.chunkTargetMs,
): ChunkSizer {
  return chunkSizer({ max: options.chunkSize * 25, targetMs });
}
