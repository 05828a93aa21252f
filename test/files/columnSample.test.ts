/**
 * CSV and Parquet gather their columns from a batch's first records, and read
 * the batch once when the rest bring nothing new. When a later record brings a
 * new column or a wider type, the attempt is undone and the batch written again
 * with the columns of every record: either way the same bytes as columns
 * gathered from every record first.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeBatchFiles } from '../../src/files/batchFileWriter';
import type { OutputSpec } from '../../src/files/outputSpec';

const uniform = Array.from({ length: 10 }, (_, i) => JSON.stringify({ profileId: `p${i}`, person: { name: `n${i}` }, score: i }));
// After the first four: a new column (p6), an integer column turned fractional (p8).
const growing = uniform.map((line, i) => {
  const record = JSON.parse(line);
  if (i === 6) record.person.city = 'Oslo';
  if (i === 8) record.score = 8.5;
  return JSON.stringify(record);
});

const OUTPUTS: OutputSpec[] = [
  { format: 'CSV', compression: 'NONE', maxRecordsPerFile: 3 },
  { format: 'PARQUET', compression: 'SNAPPY', maxRecordsPerFile: 3 },
];

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  dirs = [];
});

async function write(lines: string[], output: OutputSpec, columnSample: number) {
  const directory = await mkdtemp(join(tmpdir(), 'gw-column-sample-'));
  dirs.push(directory);
  let read = 0;
  let progress = 0;
  const files = await writeBatchFiles({
    // Chunks of two, counted as they are read.
    readChunks: async function* () {
      for (let at = 0; at < lines.length; at += 2) {
        const chunk = lines.slice(at, at + 2);
        read += chunk.length;
        yield chunk.join('\n');
      }
    },
    output,
    directory,
    storagePrefix: 'x',
    columnSample,
    onRecordsWritten: (records) => (progress += records),
  });
  return { files: files.map(({ name, records, sha256 }) => ({ name, records, sha256 })), read, progress, onDisk: (await readdir(directory)).sort() };
}

describe.each(OUTPUTS)('columns from the first records, $format', (output) => {
  it('reads the batch once (and the sample) when the later records bring nothing new; the same bytes as all columns first', async () => {
    const sampled = await write(uniform, output, 4);
    const full = await write(uniform, output, Infinity);
    expect(sampled.files).toEqual(full.files);
    expect(sampled.read).toBe(4 + uniform.length);
    expect(full.read).toBe(2 * uniform.length);
    expect(sampled.progress).toBe(uniform.length);
  });

  it('writes again, with the columns of every record, when a later record brings a new column or a wider type', async () => {
    const sampled = await write(growing, output, 4);
    const full = await write(growing, output, Infinity);
    expect(sampled.files).toEqual(full.files);
    expect(sampled.files.map((file) => file.records)).toEqual([3, 3, 3, 1]);
    // Nothing of the undone attempt is left, and the progress counts each record once.
    expect(sampled.onDisk).toEqual(full.onDisk);
    expect(sampled.onDisk).toEqual(sampled.files.map((file) => file.name));
    expect(sampled.progress).toBe(growing.length);
    expect(sampled.read).toBeGreaterThan(full.read);
  });
});
