/**
 * Parquet files streamed a row group at a time, read back with parquet-wasm
 * (arrow-rs's reader), which shares no code with hyparquet-writer.
 */
import { tableFromIPC } from 'apache-arrow';
import { ParquetFile, readParquet } from 'parquet-wasm/node';
import { describe, expect, it } from 'vitest';
import {
  PARQUET_MAX_COLUMN_CHUNKS,
  parquetCharsPerFile,
  parquetFileBytes,
  parquetRecordsPerFile,
  PARQUET_ROW_GROUP_LIMITS,
  type RowGroupLimits,
} from '../../src/files/parquetEncoder';
import type { ParquetColumn } from '../../src/files/parquetSchema';

const COLUMNS: ParquetColumn[] = [
  { name: 'profileId', type: 'STRING' },
  { name: 'n', type: 'INT64' },
];
const LINES = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ profileId: `p${String(i).padStart(4, '0')}`, n: i }));

async function write(options: { slice?: number; limits?: Partial<RowGroupLimits>; lines?: string[] } = {}): Promise<Buffer> {
  const lines = options.lines ?? LINES;
  const size = options.slice ?? 100;
  async function* slices() {
    for (let i = 0; i < lines.length; i += size) yield lines.slice(i, i + size);
  }
  const parts: Buffer[] = [];
  for await (const part of parquetFileBytes(COLUMNS, 'SNAPPY', slices(), { ...PARQUET_ROW_GROUP_LIMITS, ...options.limits })) parts.push(part);
  return Buffer.concat(parts);
}

async function rowGroupSizes(file: Buffer): Promise<number[]> {
  const metadata = (await ParquetFile.fromFile(new Blob([new Uint8Array(file)]))).metadata();
  return metadata.rowGroups().map((group) => group.numRows());
}

describe('parquetFileBytes', () => {
  it('cuts row groups by its limits alone: the same records give the same bytes whatever their slicing', async () => {
    const files = await Promise.all([1, 7, 300, 1000].map((slice) => write({ slice, limits: { rows: 300 } })));
    for (const file of files.slice(1)) expect(file.equals(files[0]!)).toBe(true);
    expect(await rowGroupSizes(files[0]!)).toEqual([300, 300, 300, 100]);
    const rows = tableFromIPC(readParquet(files[0]!).intoIPCStream()).toArray().map((row) => row.toJSON());
    expect(rows.map((row) => [row.profileId, Number(row.n)])).toEqual(LINES.map((line) => Object.values(JSON.parse(line))));
  });

  it('makes smaller row groups of large records and of wide ones', async () => {
    // Each line is 27 characters: a group is full once it holds 270.
    expect(await rowGroupSizes(await write({ limits: { text: 270 } }))).toEqual(Array(100).fill(10));
    // Two columns: 50 cells are 25 rows, unless a group must hold more.
    expect(await rowGroupSizes(await write({ limits: { cells: 50, minRows: 1 } }))).toEqual(Array(40).fill(25));
    expect(await rowGroupSizes(await write({ limits: { cells: 50, minRows: 40 } }))).toEqual(Array(25).fill(40));
  });

  it('bounds a file by its column chunks (row groups × columns), so that a wide batch cannot grow a footer without end', () => {
    expect(PARQUET_MAX_COLUMN_CHUNKS).toBe(100_000);
    // Narrow: groups of 10,000 rows, far more records a file than any job asks.
    expect(parquetRecordsPerFile(2)).toBe(50_000 * 10_000);
    expect(parquetRecordsPerFile(100)).toBe(1_000 * 500);
    // Wide: groups of 100 rows at least, and 99 of them for 1,001 columns.
    expect(parquetRecordsPerFile(1_001)).toBe(99 * 100);
    expect(parquetRecordsPerFile(10_000)).toBe(10 * 100);
    // Large records end their groups by text before rows: so many groups' text at most, too.
    expect(parquetCharsPerFile(1_001)).toBe(99 * PARQUET_ROW_GROUP_LIMITS.text);
    expect(parquetCharsPerFile(2)).toBe(50_000 * PARQUET_ROW_GROUP_LIMITS.text);
  });

  it('writes a file of one row group when the records are fewer than a group', async () => {
    expect(await rowGroupSizes(await write({ lines: LINES.slice(0, 3) }))).toEqual([3]);
  });

  it('refuses records whose columns or types changed since the schema was derived', async () => {
    await expect(write({ lines: [JSON.stringify({ profileId: 'p1', extra: 1 })] })).rejects.toThrow(/"extra", which the schema lacks/);
    await expect(write({ lines: [JSON.stringify({ profileId: 'p1', n: 1.5 })] })).rejects.toThrow(/column "n" is not INT64/);
  });
});
