/**
 * One Parquet file's bytes, streamed a row group at a time, written with
 * `hyparquet-writer` (pure JavaScript; chosen over parquet-wasm + apache-arrow
 * and DuckDB by measurement, see issue 12).
 *
 * Columns and types come from `parquetSchema.ts` (flat dotted leaves). The
 * compression is the column codec: NONE (UNCOMPRESSED), SNAPPY (the writer's
 * own), GZIP (Node's zlib at `GZIP_LEVEL`), ZSTD (`zstdStream.ts`, at
 * `ZSTD_LEVEL`).
 *
 * Memory stays flat: a row group holds at most `PARQUET_ROW_GROUP_LIMITS`
 * (records, characters of their JSON text, cells); once full it is encoded,
 * handed on, and dropped. Row groups are cut by those counts alone, never by
 * how the records were chunked, and the footer holds no time, random id or
 * library version (`created_by` is a fixed name): the same records give the
 * same bytes.
 */
import { gzipSync } from 'node:zlib';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { Compression } from './outputSpec';
import { GZIP_LEVEL } from './gzipLevel';
import { fits, parquetSchemaElements, type ParquetColumn } from './parquetSchema';
import { ColumnsOutgrown, forEachLeaf, parseRecord } from './recordLeaves';
import { zstdCompress, zstdReady } from './zstdStream';

/** When a row group is full: whichever bound a record reaches first. */
export interface RowGroupLimits {
  /** Records. */
  rows: number;
  /** JSON text (UTF-16 code units) of the records, so that large records make smaller groups. */
  text: number;
  /** Cells (rows × columns), so that wide batches make smaller groups, of `minRows` at least. */
  cells: number;
  /** Records a group holds however wide the batch: the footer has an entry per group and column. */
  minRows: number;
}

/**
 * The row group bounds. A row group is held as values, then encoded in one
 * synchronous call on the file writer's thread (`fileWriterWorker.ts`; it
 * once ran on the thread that serves the API, where a 100,000-row group
 * blocked requests for a second): about 1.2 µs a cell, so 50,000 cells keep
 * each call near 60 ms (a group of `minRows` over thousands of columns takes
 * longer: about 1.2 s at 10,000, the most a batch may have). 10,000 rows is
 * small for Parquet (DuckDB writes 122,880), but the files grow little: 1–4 % over 100,000-row groups on
 * profile records; and larger groups were no faster (2026-12-02, 300,000
 * four-column records, one run each: GZIP 109,000–159,000 records/s with
 * 50,000- and 100,000-row groups against 137,000–184,000 with these). 4 MiB
 * of JSON text bounds what a group of large records holds in memory.
 */
export const PARQUET_ROW_GROUP_LIMITS: RowGroupLimits = { rows: 10_000, text: 4 * 1024 * 1024, cells: 50_000, minRows: 100 };

/**
 * Column chunks (row groups × columns) a file holds at most. The footer describes each
 * one and hyparquet-writer keeps it all in memory until the file ends (about 1 KB a chunk
 * on its thread's heap): a million records of 1,000 sparse columns, 50 a group, made
 * 20,000,000 of them and ran the writer out of memory. 100,000 keeps a footer near 100
 * MB of heap at worst; a batch of up to 70 columns still gets its million records a file.
 */
export const PARQUET_MAX_COLUMN_CHUNKS = 100_000;

/** Row groups a Parquet file of `columns` columns holds at most. */
function groupsPerFile(columns: number): number {
  return Math.max(1, Math.floor(PARQUET_MAX_COLUMN_CHUNKS / Math.max(1, columns)));
}

/** Records a Parquet file of `columns` columns holds at most: as many row groups full by their rows as its column chunks allow. */
export function parquetRecordsPerFile(columns: number, limits: RowGroupLimits = PARQUET_ROW_GROUP_LIMITS): number {
  return groupsPerFile(columns) * rowGroupCapacity(columns, limits);
}

/**
 * JSON text a Parquet file of `columns` columns holds at most: as many row groups full by
 * their text (large records: fewer rows than `minRows`) as its column chunks allow. With
 * `parquetRecordsPerFile`, a file has at most twice its share of row groups, however its
 * records are sized.
 */
export function parquetCharsPerFile(columns: number, limits: RowGroupLimits = PARQUET_ROW_GROUP_LIMITS): number {
  return groupsPerFile(columns) * limits.text;
}

/** Rows a group of `columns` columns holds when none is large: `limits.cells` worth, between `minRows` and `rows`. */
function rowGroupCapacity(columns: number, limits: RowGroupLimits): number {
  return Math.max(1, Math.min(limits.rows, Math.max(limits.minRows, Math.floor(limits.cells / Math.max(1, columns)))));
}

/** The file's `created_by`: no version, so a rerun gives the same footer. */
const CREATED_BY = 'hyparquet-writer';

/** The compressions Parquet is written with, as column codecs. */
export const PARQUET_COMPRESSIONS = ['NONE', 'SNAPPY', 'GZIP', 'ZSTD'] as const satisfies readonly Compression[];
type ParquetCompression = (typeof PARQUET_COMPRESSIONS)[number];

type WriterOptions = Pick<ConstructorParameters<typeof ParquetWriter>[0], 'codec' | 'compressors'>;

const CODECS: Record<ParquetCompression, WriterOptions> = {
  NONE: { codec: 'UNCOMPRESSED' },
  SNAPPY: { codec: 'SNAPPY' },
  GZIP: { codec: 'GZIP', compressors: { GZIP: (input) => gzipSync(input, { level: GZIP_LEVEL }) } },
  ZSTD: { codec: 'ZSTD', compressors: { ZSTD: zstdCompress } },
};

/**
 * A Parquet file of the records of `slices` (JSON text, in file order), with
 * `columns` (derived from the batch beforehand) and `compression` as codec:
 * the header, then each row group once full, then the footer. `limits` is for
 * tests.
 */
export async function* parquetFileBytes(
  columns: readonly ParquetColumn[],
  compression: Compression,
  slices: AsyncIterable<readonly string[]>,
  limits: RowGroupLimits = PARQUET_ROW_GROUP_LIMITS,
): AsyncGenerator<Buffer> {
  if (!isParquetCompression(compression)) throw new Error(`Parquet is not written with ${compression}`);
  if (compression === 'ZSTD') await zstdReady();
  const out = new ByteWriter();
  const writer = new ParquetWriter({ writer: out, schema: parquetSchemaElements(columns), createdBy: CREATED_BY, ...CODECS[compression] });
  const group = new RowGroup(columns, limits);
  const writeGroup = () => {
    // The writer has no flush of its own here (`out` is a plain buffer): write() returns synchronously.
    const rows = group.rows;
    void writer.write({ columnData: group.take(), rowGroupSize: rows });
    return drained(out);
  };
  yield drained(out); // 'PAR1'
  for await (const slice of slices) {
    for (const line of slice) {
      group.add(line);
      if (group.full) yield writeGroup();
    }
  }
  if (group.rows > 0) yield writeGroup();
  void writer.finish();
  yield drained(out);
}

function isParquetCompression(compression: Compression): compression is ParquetCompression {
  return (PARQUET_COMPRESSIONS as readonly Compression[]).includes(compression);
}

/** What `out` holds since it was last drained, copied; `out` then starts over in the same buffer. */
function drained(out: ByteWriter): Buffer {
  const bytes = Buffer.from(out.getBytes());
  out.index = 0; // `offset`, the position in the file, goes on counting
  return bytes;
}

/** The records of one row group, by column, as hyparquet-writer takes them. */
class RowGroup {
  readonly #columns: readonly ParquetColumn[];
  readonly #indexOf: Map<string, number>;
  readonly #limits: RowGroupLimits;
  readonly #capacity: number;
  #values: unknown[][] = [];
  #rows = 0;
  #text = 0;

  constructor(columns: readonly ParquetColumn[], limits: RowGroupLimits) {
    this.#columns = columns;
    this.#indexOf = new Map(columns.map(({ name }, index) => [name, index]));
    this.#limits = limits;
    this.#capacity = rowGroupCapacity(columns.length, limits);
    this.#reset();
  }

  get rows(): number {
    return this.#rows;
  }

  get full(): boolean {
    return this.#rows === this.#capacity || this.#text >= this.#limits.text;
  }

  add(line: string): void {
    const row = this.#rows;
    for (const values of this.#values) values.push(null); // absent leaves stay null
    forEachLeaf(parseRecord(line), 'Parquet', (name, value) => this.#set(row, name, value));
    this.#rows += 1;
    this.#text += line.length;
  }

  #set(row: number, name: string, value: unknown): void {
    const index = this.#indexOf.get(name);
    const column = index === undefined ? undefined : this.#columns[index];
    if (index === undefined || column === undefined) {
      throw new ColumnsOutgrown(`A record has the Parquet column ${JSON.stringify(name)}, which the schema lacks: the records changed while written`);
    }
    if (!fits(column.type, value)) {
      throw new ColumnsOutgrown(`A record's value of the Parquet column ${JSON.stringify(name)} is not ${column.type}: the records changed while written`);
    }
    this.#values[index]![row] = value === null ? null : column.type === 'INT64' ? BigInt(value as number) : value;
  }

  /** The group's columns, and a fresh empty group. */
  take(): { name: string; data: unknown[] }[] {
    const taken = this.#columns.map(({ name }, index) => ({ name, data: this.#values[index]! }));
    this.#reset();
    return taken;
  }

  #reset(): void {
    this.#values = this.#columns.map(() => []);
    this.#rows = 0;
    this.#text = 0;
  }
}
