/**
 * The files a batch becomes, read back with readers that share nothing with
 * the writer: Node's zlib for gzip, csv-parse for CSV.
 */
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { ParquetFile } from 'parquet-wasm/node';
import { writeBatchFiles, type WrittenFile } from '../../src/files/batchFileWriter';
import type { OutputSpec } from '../../src/files/outputSpec';

// In key order: nested objects, arrays, unicode (emoji, CJK, a combining accent), empty
// strings, absent fields, nulls, an empty object, and CSV's special characters.
const RECORDS: Record<string, unknown>[] = [
  {
    profileId: 'p1',
    identities: [{ id: 'zoë@example.com', namespace: 'email' }],
    person: { name: { firstName: 'Zoë 🌍', lastName: '' } },
    tags: ['a', 'b,c'],
    score: 7,
  },
  {
    profileId: 'p2',
    identities: [{ id: '42', namespace: 'ecid' }],
    person: { name: { firstName: '山田 "Taro"' } },
    note: 'line one\nline two\r\nline three',
    vip: true,
  },
  { profileId: 'p3', identities: [], empty: {}, score: null, comma: 'a,b' },
  { profileId: 'p4', person: { name: { firstName: 'e\u0301' } }, quote: '"', score: -1.5 },
  { profileId: 'p5', note: '', vip: false },
];

/** RECORDS as CSV rows, written out by hand: undefined is an absent or null field, '' an empty string. */
const CSV_COLUMNS = ['profileId', 'comma', 'identities', 'note', 'person.name.firstName', 'person.name.lastName', 'quote', 'score', 'tags', 'vip'];
const CSV_ROWS: Record<string, string | undefined>[] = [
  {
    profileId: 'p1',
    identities: '[{"id":"zoë@example.com","namespace":"email"}]',
    'person.name.firstName': 'Zoë 🌍',
    'person.name.lastName': '',
    score: '7',
    tags: '["a","b,c"]',
  },
  {
    profileId: 'p2',
    identities: '[{"id":"42","namespace":"ecid"}]',
    note: 'line one\nline two\r\nline three',
    'person.name.firstName': '山田 "Taro"',
    vip: 'true',
  },
  { profileId: 'p3', comma: 'a,b', identities: '[]' },
  { profileId: 'p4', 'person.name.firstName': 'e\u0301', quote: '"', score: '-1.5' },
  { profileId: 'p5', note: '', vip: 'false' },
];

/** The records as the database hands them over: JSON text lines, in chunks of `size`. */
/** Chunks as the database gives them: the records' JSON text joined by line breaks. */
function chunksOf(records: readonly Record<string, unknown>[], size: number): () => AsyncIterable<string> {
  return async function* () {
    for (let i = 0; i < records.length; i += size) yield records.slice(i, i + size).map((record) => JSON.stringify(record)).join('\n');
  };
}

const directories: string[] = [];
async function freshDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'batch-files-'));
  directories.push(directory);
  return directory;
}
afterEach(async () => {
  await Promise.all(directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
});

async function write(
  output: Partial<OutputSpec>,
  options: { records?: readonly Record<string, unknown>[]; chunkSize?: number; directory?: string; signal?: AbortSignal } = {},
) {
  const directory = options.directory ?? (await freshDirectory());
  const files = await writeBatchFiles({
    readChunks: chunksOf(options.records ?? RECORDS, options.chunkSize ?? 2),
    output: { format: 'JSONL', compression: 'NONE', maxRecordsPerFile: 1000, ...output },
    directory,
    storagePrefix: '7/batch-1',
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { directory, files };
}

/** A file's bytes, after checking that its size and sha256 are those reported. */
async function bytesOf(directory: string, file: WrittenFile): Promise<Buffer> {
  const body = await readFile(join(directory, file.name));
  expect(body.length).toBe(file.bytes);
  expect(createHash('sha256').update(body).digest('hex')).toBe(file.sha256);
  expect(file.storageKey).toBe(`7/batch-1/${file.name}`);
  return body;
}

/** CSV rows by column, with an unquoted empty field (absent, null) as undefined and a quoted one as ''. */
function parseCsv(body: Buffer): { columns: string[]; rows: Record<string, string | undefined>[] } {
  const rows = parse(body, {
    columns: true,
    relax_column_count: false,
    cast: (value, context) => (context.header || context.quoting || value !== '' ? value : undefined),
  }) as Record<string, string | undefined>[];
  const [header] = parse(body, { to_line: 1 }) as string[][];
  return { columns: header!, rows };
}

/** What a directory holds besides its final files: temporary files left behind. */
async function leftovers(directory: string): Promise<string[]> {
  return (await readdir(directory)).filter((name) => name.includes('.tmp'));
}

describe('writeBatchFiles', () => {
  it('writes JSON Lines: each record as given, one a line, each line ended by \\n', async () => {
    const { directory, files } = await write({ format: 'JSONL', compression: 'NONE' });
    expect(files.map(({ fileIndex, name, records }) => ({ fileIndex, name, records }))).toEqual([
      { fileIndex: 0, name: 'part-00000.jsonl', records: 5 },
    ]);
    const text = (await bytesOf(directory, files[0]!)).toString('utf8');
    expect(text).toBe(RECORDS.map((record) => JSON.stringify(record) + '\n').join(''));
    expect(text.trimEnd().split('\n').map((line) => JSON.parse(line))).toEqual(RECORDS);
  });

  it('splits at maxRecordsPerFile in key order across chunk boundaries, gzipped', async () => {
    const { directory, files } = await write({ compression: 'GZIP', maxRecordsPerFile: 2 }, { chunkSize: 3 });
    expect(files.map(({ fileIndex, name, records }) => [fileIndex, name, records])).toEqual([
      [0, 'part-00000.jsonl.gz', 2],
      [1, 'part-00001.jsonl.gz', 2],
      [2, 'part-00002.jsonl.gz', 1],
    ]);
    const perFile: unknown[][] = [];
    for (const file of files) {
      const text = gunzipSync(await bytesOf(directory, file)).toString('utf8');
      expect(text.endsWith('\n')).toBe(true);
      perFile.push(text.trimEnd().split('\n').map((line) => JSON.parse(line)));
    }
    expect(perFile).toEqual([RECORDS.slice(0, 2), RECORDS.slice(2, 4), RECORDS.slice(4)]);
    expect(await readdir(directory)).toEqual(files.map((file) => file.name));
  });

  it('ends a file once its records reach the characters a file may hold, whatever maxRecordsPerFile says', async () => {
    const records = Array.from({ length: 7 }, (_, i) => ({ id: `r${i}`, text: 'x'.repeat(90) }));
    const length = JSON.stringify(records[0]).length;
    const directory = await freshDirectory();
    const files = await writeBatchFiles({
      readChunks: chunksOf(records, 1),
      output: { format: 'JSONL', compression: 'NONE', maxRecordsPerFile: 1000 },
      directory,
      storagePrefix: '7/batch-1',
      // Reached by the third record of a file.
      maxFileChars: 2 * length + 1,
    });
    expect(files.map((file) => file.records)).toEqual([3, 3, 1]);
    const lines = [];
    for (const file of files) lines.push(...(await bytesOf(directory, file)).toString('utf8').trimEnd().split('\n'));
    expect(lines.map((line) => JSON.parse(line))).toEqual(records);
  });

  it('counts a sparse CSV row by the separators of the columns it lacks, so that no file outgrows its bound', async () => {
    // 300 columns, one field a record: each row has 299 commas, many times its JSON text.
    const records = Array.from({ length: 600 }, (_, i) => ({ profileId: `p${String(i).padStart(3, '0')}`, [`c${i % 299}`]: 1 }));
    const maxFileChars = 20_000;
    const directory = await freshDirectory();
    const files = await writeBatchFiles({
      readChunks: chunksOf(records, 50),
      output: { format: 'CSV', compression: 'NONE', maxRecordsPerFile: 1_000_000 },
      directory,
      storagePrefix: '7/batch-1',
      maxFileChars,
    });
    expect(files.length).toBeGreaterThan(1);
    // A file ends after the slice that reaches the bound: one slice of 50 rows more at most.
    for (const file of files) expect(file.bytes).toBeLessThan(maxFileChars + 50 * 400 + 3_000);
    const rows = [];
    for (const file of files) rows.push(...parseCsv(await bytesOf(directory, file)).rows);
    expect(rows.map((row) => row.profileId)).toEqual(records.map((record) => record.profileId));
  });

  it('bounds a Parquet file of a wide, sparse batch by its row groups × columns, not by maxRecordsPerFile alone', async () => {
    // 1,001 columns: row groups of 100 rows (the least a group holds), 99 of them a file.
    const records = Array.from({ length: 10_000 }, (_, i) => ({ profileId: `p${String(i).padStart(5, '0')}`, [`c${String(i % 1_000).padStart(3, '0')}`]: i }));
    const directory = await freshDirectory();
    const files = await writeBatchFiles({
      readChunks: chunksOf(records, 1_000),
      output: { format: 'PARQUET', compression: 'ZSTD', maxRecordsPerFile: 1_000_000 },
      directory,
      storagePrefix: '7/batch-1',
    });
    expect(files.map((file) => file.records)).toEqual([9_900, 100]);
    const metadata = (await ParquetFile.fromFile(new Blob([new Uint8Array(await bytesOf(directory, files[0]!))]))).metadata();
    expect(metadata.numRowGroups()).toBe(99);
    expect(metadata.rowGroups().every((group) => group.numRows() === 100)).toBe(true);
  });

  it('writes no empty last file when the records fill the files exactly', async () => {
    const { files } = await write({ maxRecordsPerFile: 5 }, { chunkSize: 5 });
    expect(files.map((file) => file.records)).toEqual([5]);
  });

  it('writes CSV with a header of dotted columns, CRLF lines, and an empty string apart from an absent field', async () => {
    const { directory, files } = await write({ format: 'CSV', compression: 'NONE' });
    expect(files.map((file) => [file.name, file.records])).toEqual([['part-00000.csv', 5]]);
    const body = await bytesOf(directory, files[0]!);
    const { columns, rows } = parseCsv(body);
    expect(columns).toEqual(CSV_COLUMNS);
    expect(rows).toEqual(CSV_ROWS);
    // toEqual takes an undefined property for a missing one: say outright which fields were quoted empties.
    const emptyStrings = rows.map((row) => Object.keys(row).filter((column) => row[column] === ''));
    expect(emptyStrings).toEqual([['person.name.lastName'], [], [], [], ['note']]);
    expect(JSON.parse(rows[0]!.identities!)).toEqual(RECORDS[0]!.identities);
    const text = body.toString('utf8');
    expect(text.startsWith(CSV_COLUMNS.join(',') + '\r\n')).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text).toContain('\r\np5,,,"",,,,,,false\r\n');
  });

  it('repeats the CSV header in every file of a split, gzipped, with the columns of the whole batch', async () => {
    const { directory, files } = await write({ format: 'CSV', compression: 'GZIP', maxRecordsPerFile: 2 });
    expect(files.map((file) => [file.name, file.records])).toEqual([
      ['part-00000.csv.gz', 2],
      ['part-00001.csv.gz', 2],
      ['part-00002.csv.gz', 1],
    ]);
    const rows: Record<string, string | undefined>[] = [];
    for (const file of files) {
      const parsed = parseCsv(gunzipSync(await bytesOf(directory, file)));
      expect(parsed.columns).toEqual(CSV_COLUMNS);
      rows.push(...parsed.rows);
    }
    expect(rows).toEqual(CSV_ROWS);
  });

  it.each([
    ['JSONL', 'NONE'],
    ['JSONL', 'GZIP'],
    ['CSV', 'NONE'],
    ['CSV', 'GZIP'],
  ] as const)('writes byte-identical %s %s files on a second run, however the records are chunked', async (format, compression) => {
    const output = { format, compression, maxRecordsPerFile: 3 };
    const first = await write(output, { chunkSize: 1 });
    const second = await write(output, { chunkSize: 4 });
    expect(second.directory).not.toBe(first.directory);
    expect(second.files).toEqual(first.files);
    for (const file of first.files) {
      expect((await bytesOf(second.directory, file)).equals(await bytesOf(first.directory, file))).toBe(true);
    }
  });

  it('replaces the same names on a rerun into the same directory', async () => {
    const first = await write({ compression: 'GZIP', maxRecordsPerFile: 2 });
    const rerun = await write({ compression: 'GZIP', maxRecordsPerFile: 2 }, { directory: first.directory });
    expect(rerun.files).toEqual(first.files);
    expect(await readdir(first.directory)).toEqual(first.files.map((file) => file.name));
  });

  it('writes no file for a batch without records', async () => {
    const directory = await freshDirectory();
    const files = await writeBatchFiles({
      readChunks: async function* () {
        yield '';
      },
      output: { format: 'CSV', compression: 'GZIP', maxRecordsPerFile: 2 },
      directory,
      storagePrefix: 'x',
    });
    expect(files).toEqual([]);
    expect(await readdir(directory)).toEqual([]);
    expect((await write({ compression: 'GZIP' }, { records: [] })).files).toEqual([]);
  });

  it('creates the directory when it is missing', async () => {
    const directory = join(await freshDirectory(), '7', 'batch-1');
    const { files } = await write({}, { directory });
    expect(await readdir(directory)).toEqual(files.map((file) => file.name));
  });

  it('writes under a temporary name until the file is complete, and leaves no temporary file', async () => {
    const directory = await freshDirectory();
    const seenWhileWriting: string[][] = [];
    const lines = RECORDS.map((record) => JSON.stringify(record));
    const files = await writeBatchFiles({
      readChunks: async function* () {
        yield lines.slice(0, 2).join('\n');
        seenWhileWriting.push(await readdir(directory));
        yield lines.slice(2).join('\n');
        seenWhileWriting.push(await readdir(directory));
      },
      output: { format: 'JSONL', compression: 'GZIP', maxRecordsPerFile: 1000 },
      directory,
      storagePrefix: '7/batch-1',
    });
    expect(seenWhileWriting).toHaveLength(2);
    for (const names of seenWhileWriting) expect(names).toEqual([expect.stringMatching(/^\.part-00000\.jsonl\.gz\.tmp-\w+$/)]);
    expect(await readdir(directory)).toEqual(['part-00000.jsonl.gz']);
    expect(files[0]!.records).toBe(5);
  });

  it('rejects with the reason of a signal aborted before it starts, and writes nothing', async () => {
    const directory = await freshDirectory();
    const reading = write({ format: 'CSV' }, { directory, signal: AbortSignal.abort('cancelled') });
    await expect(reading).rejects.toBe('cancelled');
    expect(await readdir(directory)).toEqual([]);
  });

  it('stops at the next chunk once aborted mid-file, removing its temporary file and reading no further', async () => {
    const directory = await freshDirectory();
    const controller = new AbortController();
    let chunksRead = 0;
    let temporaryWhileWriting: string[] = [];
    const writing = writeBatchFiles({
      readChunks: async function* () {
        for (let chunk = 0; chunk < 100; chunk += 1) {
          // The job is cancelled while the fourth chunk is being read: that read completes, no other starts.
          if (chunk === 3) {
            temporaryWhileWriting = await leftovers(directory);
            controller.abort('lost');
          }
          chunksRead += 1;
          yield JSON.stringify({ profileId: `p${String(chunk).padStart(3, '0')}` });
        }
      },
      output: { format: 'JSONL', compression: 'GZIP', maxRecordsPerFile: 1000 },
      directory,
      storagePrefix: 'x',
      signal: controller.signal,
    });
    await expect(writing).rejects.toBe('lost');
    expect(temporaryWhileWriting).toHaveLength(1);
    expect(await readdir(directory)).toEqual([]);
    expect(chunksRead).toBe(4);
  });

  it('removes its temporary file when reading the records fails', async () => {
    const directory = await freshDirectory();
    const failure = new Error('connection lost');
    const writing = writeBatchFiles({
      readChunks: async function* () {
        yield JSON.stringify(RECORDS[0]);
        throw failure;
      },
      output: { format: 'JSONL', compression: 'GZIP', maxRecordsPerFile: 1000 },
      directory,
      storagePrefix: 'x',
    });
    await expect(writing).rejects.toBe(failure);
    expect(await readdir(directory)).toEqual([]);
  });

  it('refuses CSV records with too many columns before writing any file', async () => {
    const wide = { profileId: 'p1', ...Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`c${i}`, i])) };
    const directory = await freshDirectory();
    await expect(write({ format: 'CSV' }, { records: [wide], directory })).rejects.toThrow(/more than 10000 distinct CSV columns/);
    expect(await readdir(directory)).toEqual([]);
  });

  it('reads ahead of the disk by at most a couple of chunks (backpressure, not buffering)', async () => {
    const directory = await freshDirectory();
    // 40 chunks of 100 records of about 1 KB: each chunk is more than the stream's 64 KiB high-water mark.
    const chunk = (index: number) =>
      Array.from({ length: 100 }, (_, i) => JSON.stringify({ profileId: `p${index}-${i}`, padding: 'x'.repeat(1000) })).join('\n');
    const chunkBytes = Buffer.byteLength(chunk(10) + '\n');
    const lags: number[] = [];
    await writeBatchFiles({
      readChunks: async function* () {
        for (let index = 0; index < 40; index += 1) {
          // Looked at synchronously: a reader that buffers ahead would run many reads before any write lands.
          const temporary = readdirSync(directory).find((name) => name.includes('.tmp'));
          const onDisk = temporary ? statSync(join(directory, temporary)).size : 0;
          lags.push(index - Math.floor(onDisk / chunkBytes)); // chunks read but not yet on disk
          yield chunk(index);
        }
      },
      output: { format: 'JSONL', compression: 'NONE', maxRecordsPerFile: 1_000_000 },
      directory,
      storagePrefix: 'x',
    });
    expect(lags).toHaveLength(40);
    expect(Math.max(...lags)).toBeLessThanOrEqual(3);
  });

  it.each([
    [{ format: 'JSONL', compression: 'SNAPPY' }, /SNAPPY is not supported with JSONL/],
    [{ maxRecordsPerFile: 0 }, /maxRecordsPerFile 0 is not a positive integer/],
  ] as const)('refuses an output it cannot write: %o', async (output, message) => {
    const directory = join(await freshDirectory(), 'never');
    await expect(write(output, { directory })).rejects.toThrow(message);
    await expect(stat(directory)).rejects.toThrow(/ENOENT/);
  });
});
