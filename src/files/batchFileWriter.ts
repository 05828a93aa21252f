/**
 * A batch's files: its records, in key order, split into `part-00000<ext>`,
 * `part-00001<ext>`, … of at most `maxRecordsPerFile` records each, as JSON
 * Lines or CSV (rules in `csvColumns.ts`), gzipped or not, each checksummed as
 * it is written.
 *
 * A file is written under a temporary name in the same directory, flushed to
 * disk, and only then renamed onto its final name: no partial file ever has a
 * final name, and a rerun replaces the same names. The same records give the
 * same bytes, whatever their chunking, so a rerun reproduces the sha256 that
 * was published. Memory stays flat: records stream through with backpressure,
 * and at most about one chunk is held at a time.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { csvHeader, csvRow, CsvColumnSet, flattenRecord } from './csvColumns';
import { fileExtension, unwritableReason, type OutputSpec } from './outputSpec';

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
 * The gzip level: zlib's own default, its balance of speed and size (level 9
 * costs about twice the CPU for a file 1–2% smaller). Written as the number
 * rather than `Z_DEFAULT_COMPRESSION` because the level is part of the bytes,
 * and so of the published sha256. Node's gzip header carries mtime 0, so the
 * same records give the same file (with the same zlib).
 */
export const GZIP_LEVEL = 6;

/**
 * Writes a batch's files into `directory` (created if missing) and returns them
 * in order; no records give no files. Files of other names in the directory
 * are left alone.
 */
export async function writeBatchFiles(options: {
  /** The batch's records as JSON text, in key order, in chunks; called again for each pass it needs (CSV needs two). */
  readChunks: () => AsyncIterable<string[]>;
  output: OutputSpec;
  /** Absolute directory the files go into (created if missing). */
  directory: string;
  /** Prefix of each file's storageKey: storageKey = `${storagePrefix}/${name}`. */
  storagePrefix: string;
  /** Checked between chunks: once aborted, stop, remove this call's temporary file, and reject with signal.reason. */
  signal?: AbortSignal;
}): Promise<WrittenFile[]> {
  const { output, directory, storagePrefix, signal } = options;
  // The job's output was validated when it was created; this only guards against a caller that did not.
  const unwritable = unwritableReason(output);
  if (unwritable !== null) throw new Error(`Cannot write the batch's files: ${unwritable}`);
  const { maxRecordsPerFile } = output;
  if (!Number.isSafeInteger(maxRecordsPerFile) || maxRecordsPerFile < 1) {
    throw new Error(`Cannot write the batch's files: maxRecordsPerFile ${maxRecordsPerFile} is not a positive integer`);
  }
  try {
    signal?.throwIfAborted();
    const encoder = output.format === 'CSV' ? await csvEncoder(options.readChunks, signal) : JSON_LINES;
    await mkdir(directory, { recursive: true });
    const records = new RecordCursor(options.readChunks()[Symbol.asyncIterator](), signal);
    const files: WrittenFile[] = [];
    try {
      for (let first = await records.take(maxRecordsPerFile); first.length > 0; first = await records.take(maxRecordsPerFile)) {
        const fileIndex = files.length;
        const name = `part-${String(fileIndex).padStart(5, '0')}${fileExtension(output)}`;
        const tally = { records: 0 };
        const contents = fileContents(encoder, first, records, maxRecordsPerFile, tally);
        const written = await writeFileSafely(directory, name, output.compression === 'GZIP', contents, signal);
        files.push({ fileIndex, name, storageKey: `${storagePrefix}/${name}`, records: tally.records, ...written });
      }
    } finally {
      await records.close();
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

/** How a slice of records becomes a file's bytes. */
interface RecordEncoder {
  /** What each file starts with. */
  header: string;
  encode(lines: readonly string[]): string;
}

const JSON_LINES: RecordEncoder = {
  header: '',
  // jsonb's text is one line already: written as given, each line ended by `\n`.
  encode: (lines) => {
    for (const line of lines) if (line.includes('\n')) throw new Error('A JSON Lines record holds a line break');
    return lines.join('\n') + '\n';
  },
};

/** CSV needs every column before the first row: a first pass gathers them, and each file repeats the header. */
async function csvEncoder(readChunks: () => AsyncIterable<string[]>, signal: AbortSignal | undefined): Promise<RecordEncoder> {
  const columnSet = new CsvColumnSet();
  for await (const chunk of readChunks()) {
    signal?.throwIfAborted();
    for (const line of chunk) columnSet.add(flattenRecord(parseRecord(line)));
  }
  const columns = columnSet.ordered();
  return {
    header: csvHeader(columns),
    encode: (lines) => lines.map((line) => csvRow(columns, flattenRecord(parseRecord(line)))).join(''),
  };
}

function parseRecord(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch (error: unknown) {
    // No record text in the message: it is customer data, and messages end up in logs.
    throw new Error(`A record of ${line.length} characters is not JSON`, { cause: error });
  }
}

/**
 * One file's bytes: its header, then `first` and further slices until it holds
 * `most` records or none are left; `tally` counts the records written.
 */
async function* fileContents(
  encoder: RecordEncoder,
  first: string[],
  records: RecordCursor,
  most: number,
  tally: { records: number },
): AsyncGenerator<Buffer> {
  if (encoder.header !== '') yield Buffer.from(encoder.header, 'utf8');
  let taken = 0;
  for (let lines = first; lines.length > 0; lines = await records.take(most - taken)) {
    yield Buffer.from(encoder.encode(lines), 'utf8');
    taken += lines.length;
    tally.records = taken;
    if (taken === most) return;
  }
}

/**
 * Writes `contents` to a temporary file in `directory`, gzipped or not, flushes
 * it to disk and renames it onto `name`; on any failure, removes it.
 */
async function writeFileSafely(
  directory: string,
  name: string,
  gzip: boolean,
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
    // The pipeline pulls a slice only when gzip and the sink want more: backpressure, not buffering.
    if (gzip) await pipeline(contents, createGzip({ level: GZIP_LEVEL }), sink, pipelineOptions);
    else await pipeline(contents, sink, pipelineOptions);
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
    private readonly chunks: AsyncIterator<string[]>,
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
      this.#chunk = next.value;
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
