/**
 * The file writer on its own thread answers as `writeBatchFiles` does in
 * process: the same files, byte for byte, for every format (a second pass when
 * later records bring a column included); two writes at once each get their
 * own records; a read that fails fails the write with its own error; an abort
 * stops it with the signal's reason. Either way no temporary file is left.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeBatchFiles } from '../../src/files/batchFileWriter';
import { writeBatchFilesOnThread } from '../../src/files/fileWriterThread';
import type { OutputSpec } from '../../src/files/outputSpec';

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  dirs = [];
});
const directory = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gw-writer-thread-'));
  dirs.push(dir);
  return dir;
};

const records = (count: number, tag: string) =>
  Array.from({ length: count }, (_, i) =>
    JSON.stringify({ profileId: `${tag}${String(i).padStart(5, '0')}`, n: i, name: `ü-${tag}-${i}`, ...(i === count - 3 ? { late: true } : {}) }),
  );
const chunksOf = (lines: string[], size: number) =>
  async function* () {
    for (let at = 0; at < lines.length; at += size) yield lines.slice(at, at + size).join('\n');
  };
const summary = (files: { name: string; records: number; bytes: number; sha256: string }[]) =>
  files.map(({ name, records, bytes, sha256 }) => ({ name, records, bytes, sha256 }));

describe.each<OutputSpec>([
  { format: 'JSONL', compression: 'GZIP', maxRecordsPerFile: 700 },
  { format: 'CSV', compression: 'ZSTD', maxRecordsPerFile: 700 },
  { format: 'PARQUET', compression: 'SNAPPY', maxRecordsPerFile: 700 },
])('the file writer thread, $format $compression', (output) => {
  it('writes the same files as in process, counting every record once, columns from a sample and then from all', async () => {
    const lines = records(2_000, 'p');
    const options = { output, storagePrefix: 'job/batch', columnSample: 500 };
    const inProcess = await writeBatchFiles({ ...options, directory: await directory(), readChunks: chunksOf(lines, 300) });
    let counted = 0;
    const onThreadDir = await directory();
    const onThread = await writeBatchFilesOnThread({
      ...options,
      directory: onThreadDir,
      readChunks: chunksOf(lines, 300),
      onRecordsWritten: (n) => (counted += n),
    });
    expect(summary(onThread)).toEqual(summary(inProcess));
    expect(onThread.length).toBe(3);
    expect(counted).toBe(lines.length);
    expect((await readdir(onThreadDir)).sort()).toEqual(onThread.map((file) => file.name));
  });
});

describe('the file writer thread', () => {
  const output: OutputSpec = { format: 'JSONL', compression: 'NONE', maxRecordsPerFile: 1_000 };

  it('keeps two writes at once apart', async () => {
    const [a, b] = [records(1_500, 'a'), records(900, 'b')];
    const [dirA, dirB] = [await directory(), await directory()];
    const [filesA, filesB] = await Promise.all([
      writeBatchFilesOnThread({ output, directory: dirA, storagePrefix: 'a', readChunks: chunksOf(a, 100) }),
      writeBatchFilesOnThread({ output, directory: dirB, storagePrefix: 'b', readChunks: chunksOf(b, 70) }),
    ]);
    const alone = async (lines: string[]) =>
      summary(await writeBatchFiles({ output, directory: await directory(), storagePrefix: 'x', readChunks: chunksOf(lines, 500) }));
    expect(summary(filesA)).toEqual(await alone(a));
    expect(summary(filesB)).toEqual(await alone(b));
  });

  it('fails with the read’s own error when reading the records fails, leaving no file', async () => {
    const failure = new Error('connection lost');
    const dir = await directory();
    const written = writeBatchFilesOnThread({
      output,
      directory: dir,
      storagePrefix: 'x',
      readChunks: async function* () {
        yield records(1_200, 'p').slice(0, 600).join('\n');
        throw failure;
      },
    });
    await expect(written).rejects.toBe(failure);
    expect(await readdir(dir)).toEqual([]);
  });

  it('stops with the signal’s reason when aborted, leaving no file', async () => {
    const dir = await directory();
    const controller = new AbortController();
    let chunks = 0;
    const written = writeBatchFilesOnThread({
      output: { ...output, maxRecordsPerFile: 10 },
      directory: dir,
      storagePrefix: 'x',
      signal: controller.signal,
      readChunks: async function* () {
        for (;;) {
          chunks += 1;
          if (chunks === 5) controller.abort('cancelled');
          yield records(10, `c${chunks}-`).join('\n');
        }
      },
    });
    await expect(written).rejects.toBe('cancelled');
    // Files already complete may stay (the caller's store removes the directory); none half-written.
    expect((await readdir(dir)).filter((name) => name.includes('.tmp-'))).toEqual([]);
    expect(chunks).toBeLessThan(10);
  });
});
