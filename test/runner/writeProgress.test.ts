/**
 * The write phase's progress never goes back, even when CSV or Parquet undo an
 * attempt (a late record brings a new column) and write the batch again: the
 * writer's own count drops, the reported one holds still until it is passed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeBatchFiles } from '../../src/files/batchFileWriter';
import type { OutputSpec } from '../../src/files/outputSpec';
import { WriteProgress } from '../../src/runner/writeProgress';

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  dirs = [];
});

describe('WriteProgress', () => {
  it('adds what is written, holds still through an undo until the new attempt passes the old, and keeps finished batches', () => {
    const progress = new WriteProgress();
    const seen: number[] = [];
    for (const step of [3, 3, -6, 2, 2, 2, 3]) {
      progress.recordsWritten(step);
      seen.push(progress.written);
    }
    expect(seen).toEqual([3, 6, 6, 6, 6, 6, 9]);
    progress.batchDone();
    progress.recordsWritten(4);
    expect(progress.written).toBe(13);
    progress.recordsWritten(-4);
    expect(progress.written).toBe(13);
  });
});

describe.each<OutputSpec>([
  { format: 'CSV', compression: 'NONE', maxRecordsPerFile: 3 },
  { format: 'PARQUET', compression: 'ZSTD', maxRecordsPerFile: 3 },
])('the progress of a $format write that outgrows its sampled columns', (output) => {
  it('never falls, and ends at the batch size', async () => {
    const lines = Array.from({ length: 12 }, (_, i) =>
      JSON.stringify({ profileId: `p${i}`, score: i, ...(i === 9 ? { city: 'Oslo' } : {}) }),
    );
    const directory = await mkdtemp(join(tmpdir(), 'gw-write-progress-'));
    dirs.push(directory);
    const progress = new WriteProgress();
    const writerCounts: number[] = [];
    const reported: number[] = [];
    let writerCount = 0;
    await writeBatchFiles({
      readChunks: async function* () {
        for (let at = 0; at < lines.length; at += 2) yield lines.slice(at, at + 2).join('\n');
      },
      output,
      directory,
      storagePrefix: 'x',
      columnSample: 4,
      onRecordsWritten: (records) => {
        writerCount += records;
        writerCounts.push(writerCount);
        progress.recordsWritten(records);
        reported.push(progress.written);
      },
    });
    // The writer itself went back (the undo), so the case is the one this guards against.
    expect(writerCounts.some((count, i) => i > 0 && count < writerCounts[i - 1]!)).toBe(true);
    expect(reported).toEqual([...reported].sort((a, b) => a - b));
    expect(reported.at(-1)).toBe(lines.length);
  });
});
