/**
 * A batch's files: its records, in key order, split into `part-00000<ext>`,
 * `part-00001<ext>`, … of at most `maxRecordsPerFile` records each, as JSON
 * Lines, CSV (rules in `csvColumns.ts`) or Parquet (`parquetSchema.ts`,
 * `parquetEncoder.ts`), each checksummed as it is written. JSON Lines and CSV
 * files are wrapped whole in gzip or zstd (`zstdStream.ts`) or not at all;
 * Parquet compresses its columns instead.
 *
 * A file is written under a temporary name in the same directory, flushed to
 * disk, and only then renamed onto its final name: no partial file ever has a
 * final name, and a rerun replaces the same names. The same records give the
 * same bytes, whatever their chunking, so a rerun reproduces the sha256 that
 * was published. Memory stays flat: records stream through with backpressure,
 * and at most about one chunk (for Parquet, one row group) is held at a time.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { csvHeader, csvRow, CsvColumnSet, flattenRecord } from './csvColumns';
import { GZIP_LEVEL } from './gzipLevel';
import { fileExtension, unwritableReason, wrappingCompression, type Compression, type OutputSpec } from './outputSpec';
import { parquetCharsPerFile, parquetFileBytes, parquetRecordsPerFile } from './parquetEncoder';
import { ParquetColumnSet } from './parquetSchema';
import { ColumnsOutgrown, forEachLeaf, parseRecord } from './recordLeaves';
import { zstdFrames, zstdReady } from './zstdStream';

export interface WrittenFile {
  /** The file's place in the batch, from 0. */
  fileIndex: number;
  /** `part-00000.jsonl.gz`, … */
  name: string;
  /** `${storagePrefix}/${name}`. */
  storageKey: string;
  records: number;
  /** The size on disk, after compression. */
  bytes: number;
  /** Hex SHA-256 of the bytes on disk. */
  sha256: string;
}

/**
 * Records whose columns CSV and Parquet gather before writing: about the first
 * row group's worth. A batch whose later records bring nothing new is then read
 * once, not twice (a columns pass over every record first); one that does is
 * written again after that pass (see ColumnsOutgrown).
 */
export const COLUMN_SAMPLE = 10_000;

/** What `writeBatchFiles` writes, where, and whom it tells. */
export interface WriteOptions {
  /**
   * The batch's records in key order, in chunks, each the JSON text of its
   * records joined by line breaks (as `batchRecordTexts` reads them: JSON text
   * holds no raw line break); called again for each pass (CSV and Parquet read
   * their columns first, from the first records or all).
   */
  readChunks: () => AsyncIterable<string>;
  output: OutputSpec;
  /** Absolute directory the files go into (created if missing). */
  directory: string;
  /** Prefix of each file's storageKey: storageKey = `${storagePrefix}/${name}`. */
  storagePrefix: string;
  /** Checked between chunks: once aborted, stop, remove this call's temporary file, and reject with signal.reason. */
  signal?: AbortSignal;
  /**
   * Told how many records went into a file each time some did (the progress of
   * the write); told a negative number when an attempt's files are undone.
   */
  onRecordsWritten?: (records: number) => void;
  /** CSV and Parquet: records whose columns are gathered first (default `COLUMN_SAMPLE`; tests). */
  columnSample?: number;
  /** A file ends once its records' characters (as the format counts them) reach this (default `MAX_FILE_TEXT_CHARS`; tests). */
  maxFileChars?: number;
}

/**
 * A file ends once its records' characters reach this (or at `maxRecordsPerFile`, whichever
 * comes first): `BatchFile.bytes` is an `Int!` of the API's contract, and a file of 2 GiB or
 * more could not be described. Each record counts as many characters as the format may
 * write for it at most (its JSON text; in CSV, a quote more for each of its quotes, and a comma and two quotes a column), and
 * 512 Mi characters are at most 1.5 GiB of UTF-8; the boundary depends on the records
 * alone, so a rerun splits the batch the same way.
 */
export const MAX_FILE_TEXT_CHARS = 512 * 1024 * 1024;

/**
 * Writes a batch's files into `directory` (created if missing) and returns them
 * in order; no records give no files. Files of other names in the directory
 * are left alone.
 */
export async function writeBatchFiles(options: WriteOptions): Promise<WrittenFile[]> {
  const { output, directory, signal } = options;
  // The job's output was validated when it was created; this only guards against a caller that did not.
  const unwritable = unwritableReason(output);
  if (unwritable !== null) throw new Error(`Cannot write the batch's files: ${unwritable}`);
  const { maxRecordsPerFile } = output;
  if (!Number.isSafeInteger(maxRecordsPerFile) || maxRecordsPerFile < 1) {
    throw new Error(`Cannot write the batch's files: maxRecordsPerFile ${maxRecordsPerFile} is not a positive integer`);
  }
  try {
    signal?.throwIfAborted();
    const wrapping = wrappingCompression(output);
    if (wrapping === 'ZSTD') await zstdReady();
    await mkdir(directory, { recursive: true });
    let files: WrittenFile[];
    try {
      // Columns from the first records only: when every record fits them, they are exactly
      // the columns of all the records (see ColumnsOutgrown), and the batch is read once.
      files = await writeFilesOnce(options, wrapping, await fileEncoder(output, options.readChunks, signal, options.columnSample ?? COLUMN_SAMPLE));
    } catch (error: unknown) {
      if (!(error instanceof ColumnsOutgrown)) throw error;
      // A record the first ones did not foresee: the columns of every record first, then the files again.
      files = await writeFilesOnce(options, wrapping, await fileEncoder(output, options.readChunks, signal));
    }
    // The renames are durable only once the directory is flushed too.
    if (files.length > 0) await syncPath(directory);
    return files;
  } catch (error: unknown) {
    // Whatever the abort interrupted (a read, a write), the caller is told why it was asked to stop.
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}

/**
 * One attempt at a batch's files, with one encoder: the records read once,
 * file after file. When a record outgrows the encoder's columns
 * (ColumnsOutgrown), the attempt's files and count are undone before the
 * error goes on to the caller, which tries again with the columns of all.
 */
async function writeFilesOnce(options: WriteOptions, wrapping: Compression, encoder: FileEncoder): Promise<WrittenFile[]> {
  const { output, directory, storagePrefix, signal } = options;
  const maxRecordsPerFile = Math.min(output.maxRecordsPerFile, encoder.maxRecords);
  const records = new RecordCursor(options.readChunks()[Symbol.asyncIterator](), signal);
  const files: WrittenFile[] = [];
  let counted = 0;
  const onWritten = (n: number) => {
    counted += n;
    options.onRecordsWritten?.(n);
  };
  try {
    for (let first = await records.take(maxRecordsPerFile); first.length > 0; first = await records.take(maxRecordsPerFile)) {
      const fileIndex = files.length;
      const name = `part-${String(fileIndex).padStart(5, '0')}${fileExtension(output)}`;
      const tally = { records: 0 };
      const most = { records: maxRecordsPerFile, chars: Math.min(options.maxFileChars ?? MAX_FILE_TEXT_CHARS, encoder.maxChars), charsOf: encoder.charsOf };
      const contents = encoder.encode(fileSlices(first, records, most, tally, onWritten));
      const written = await writeFileSafely(directory, name, wrapping, contents, signal);
      files.push({ fileIndex, name, storageKey: `${storagePrefix}/${name}`, records: tally.records, ...written });
    }
  } catch (error: unknown) {
    if (error instanceof ColumnsOutgrown) {
      // Undone: the files of this attempt, and its count.
      for (const file of files) await rm(join(directory, file.name), { force: true });
      options.onRecordsWritten?.(-counted);
    }
    throw error;
  } finally {
    await records.close();
  }
  return files;
}

/** How one file's records become its bytes, and the bounds the format puts on a file. */
interface FileEncoder {
  /** The file's bytes, before any wrapping compression, from its records (JSON text, in slices, in file order). */
  encode(slices: AsyncIterable<readonly string[]>): AsyncIterable<Buffer>;
  /** Records a file holds at most, whatever the job asks (Parquet: its footer grows with row groups × columns). */
  maxRecords: number;
  /** Characters (as `charsOf` counts them) a file holds at most, below `MAX_FILE_TEXT_CHARS` (Parquet: as `maxRecords`). */
  maxChars: number;
  /** The most characters the file may take for a record, from its JSON text (see `MAX_FILE_TEXT_CHARS`). */
  charsOf(line: string): number;
}

/**
 * The encoder of `output`'s format. CSV and Parquet need every column (and
 * Parquet each column's type) before the first row: a pass over the first
 * `sample` records gathers them, and every file of the batch has them all.
 */
async function fileEncoder(
  output: OutputSpec,
  readChunks: () => AsyncIterable<string>,
  signal: AbortSignal | undefined,
  /** Gather the columns of (about) this many first records only; default all. */
  sample = Infinity,
): Promise<FileEncoder> {
  switch (output.format) {
    case 'JSONL':
      return { encode: lineFile('', encodeJsonLines), maxRecords: Infinity, maxChars: Infinity, charsOf: jsonTextChars };
    case 'CSV': {
      const columnSet = new CsvColumnSet();
      await eachRecord(readChunks, signal, sample, (line) => columnSet.add(flattenRecord(parseRecord(line))));
      const columns = columnSet.ordered();
      return {
        encode: lineFile(csvHeader(columns), (lines) => lines.map((line) => csvRow(columns, flattenRecord(parseRecord(line)))).join('')),
        maxRecords: Infinity,
        maxChars: Infinity,
        // A field is its JSON text or shorter (no key), but for a quote doubled and a quote
        // around it, and every column the record lacks still takes its comma: a sparse
        // batch's rows outgrow their JSON.
        charsOf: (line) => line.length + quotesIn(line) + 3 * columns.length + 2,
      };
    }
    case 'PARQUET': {
      const columnSet = new ParquetColumnSet();
      const addLeaf = (name: string, value: unknown) => columnSet.addLeaf(name, value);
      await eachRecord(readChunks, signal, sample, (line) => forEachLeaf(parseRecord(line), 'Parquet', addLeaf));
      const columns = columnSet.columns();
      return {
        encode: (slices) => parquetFileBytes(columns, output.compression, slices),
        maxRecords: parquetRecordsPerFile(columns.length),
        // Row groups of large records end by their text rather than their rows: bounded too.
        maxChars: parquetCharsPerFile(columns.length),
        charsOf: jsonTextChars,
      };
    }
  }
}

/** A pass over the batch's records (its first chunks, until `most` records are seen), checking the signal between chunks. */
async function eachRecord(
  readChunks: () => AsyncIterable<string>,
  signal: AbortSignal | undefined,
  most: number,
  visit: (line: string) => void,
): Promise<void> {
  let seen = 0;
  for await (const text of readChunks()) {
    signal?.throwIfAborted();
    const lines = recordLines(text);
    for (const line of lines) visit(line);
    seen += lines.length;
    if (seen >= most) return; // ends the read too
  }
}

/** A chunk's records, one JSON text each. */
function recordLines(chunk: string): string[] {
  return chunk === '' ? [] : chunk.split('\n');
}

const jsonTextChars = (line: string) => line.length;

function quotesIn(line: string): number {
  let quotes = 0;
  for (let at = line.indexOf('"'); at !== -1; at = line.indexOf('"', at + 1)) quotes += 1;
  return quotes;
}

/** A text format: a header (maybe empty), then each slice of records as lines. */
function lineFile(header: string, encode: (lines: readonly string[]) => string): FileEncoder['encode'] {
  return async function* (slices) {
    if (header !== '') yield Buffer.from(header, 'utf8');
    for await (const lines of slices) yield Buffer.from(encode(lines), 'utf8');
  };
}

/** jsonb's text is one line already (the chunk was split on line breaks): written as given, each line ended by `\n`. */
function encodeJsonLines(lines: readonly string[]): string {
  return lines.join('\n') + '\n';
}

/**
 * One file's records: `first`, then further slices until it holds `most.records`
 * records, or `most.chars` characters as `most.charsOf` counts them (checked after each
 * slice), or none are left; `tally` counts the records handed out, and `onWritten` hears of each slice
 * once the file's encoder has taken it.
 */
async function* fileSlices(
  first: string[],
  records: RecordCursor,
  most: { records: number; chars: number; charsOf(line: string): number },
  tally: { records: number },
  onWritten: ((records: number) => void) | undefined,
): AsyncGenerator<string[]> {
  let taken = 0;
  let chars = 0;
  for (let lines = first; lines.length > 0; lines = await records.take(most.records - taken)) {
    yield lines;
    taken += lines.length;
    for (const line of lines) chars += most.charsOf(line);
    tally.records = taken;
    onWritten?.(lines.length);
    if (taken === most.records || chars >= most.chars) return;
  }
}

/**
 * Writes `contents` to a temporary file in `directory`, wrapped in `wrapping`
 * (gzip, zstd or nothing), flushes it to disk and renames it onto `name`; on
 * any failure, removes it.
 */
export async function writeFileSafely(
  directory: string,
  name: string,
  wrapping: Compression,
  contents: AsyncIterable<Buffer>,
  signal: AbortSignal | undefined,
): Promise<{ bytes: number; sha256: string }> {
  const temporary = join(directory, `.${name}.tmp-${randomUUID().slice(0, 8)}`);
  const hash = createHash('sha256');
  let bytes = 0;
  const handle = await open(temporary, 'wx');
  try {
    const sink = async (chunks: AsyncIterable<Buffer>) => {
      for await (const chunk of chunks) {
        hash.update(chunk);
        bytes += chunk.length;
        await writeAll(handle, chunk);
      }
    };
    const pipelineOptions = signal ? { signal } : {};
    // The pipeline pulls a slice only when the compressor and the sink want more: backpressure, not buffering.
    switch (wrapping) {
      case 'GZIP':
        await pipeline(contents, createGzip({ level: GZIP_LEVEL }), sink, pipelineOptions);
        break;
      case 'ZSTD':
        await pipeline(contents, zstdFrames, sink, pipelineOptions);
        break;
      case 'NONE':
        await pipeline(contents, sink, pipelineOptions);
        break;
      case 'SNAPPY':
        throw new Error('No file is wrapped in Snappy'); // refused by unwritableReason
    }
    await handle.sync();
    await handle.close();
    await rename(temporary, join(directory, name));
  } catch (error: unknown) {
    await handle.close().catch(() => {}); // may be closed already
    await rm(temporary, { force: true });
    throw error;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** `handle.write` may write less than asked. */
async function writeAll(handle: FileHandle, chunk: Buffer): Promise<void> {
  for (let offset = 0; offset < chunk.length; ) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Hands out a batch's records in slices, across chunk boundaries, reading the
 * next chunk only when the current one is used up, and checking the signal
 * before each read.
 */
class RecordCursor {
  #chunk: string[] = [];
  #position = 0;
  #done = false;

  constructor(
    private readonly chunks: AsyncIterator<string>,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** Up to `most` records; none once all are taken. */
  async take(most: number): Promise<string[]> {
    while (this.#position >= this.#chunk.length) {
      if (this.#done) return [];
      this.signal?.throwIfAborted();
      const next = await this.chunks.next();
      if (next.done) {
        this.#done = true;
        this.#chunk = [];
        return [];
      }
      this.#chunk = recordLines(next.value);
      this.#position = 0;
    }
    const slice = this.#chunk.slice(this.#position, this.#position + most);
    this.#position += slice.length;
    return slice;
  }

  /** Stops the reading early (an error, an abort), so no further chunk is read. */
  async close(): Promise<void> {
    if (!this.#done) await this.chunks.return?.();
    this.#done = true;
  }
}
