/**
 * How an export's batches become files (`createExportJob(input: { output })`):
 * the format, the compression (for JSON Lines and CSV it wraps the file; for
 * Parquet it is the column codec) and how many records a file holds at most.
 * One place says which combinations this build can write; anything else is
 * refused when the job is created.
 */
export const EXPORT_FORMATS = ['JSONL', 'CSV', 'PARQUET'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const COMPRESSIONS = ['NONE', 'GZIP', 'ZSTD', 'SNAPPY'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

export interface OutputSpec {
  format: ExportFormat;
  compression: Compression;
  maxRecordsPerFile: number;
}

export const DEFAULT_OUTPUT: OutputSpec = { format: 'JSONL', compression: 'GZIP', maxRecordsPerFile: 1_000_000 };

/** The bounds of `maxRecordsPerFile`. */
export const MAX_RECORDS_PER_FILE = { min: 1, max: 10_000_000 } as const;

/** The compressions this build writes, by format. */
const WRITABLE: Record<ExportFormat, readonly Compression[]> = {
  JSONL: ['NONE', 'GZIP', 'ZSTD'],
  CSV: ['NONE', 'GZIP', 'ZSTD'],
  PARQUET: ['NONE', 'SNAPPY', 'GZIP', 'ZSTD'],
};

/**
 * Why a compression is refused although it exists, when there is more to say
 * than "not supported". Snappy wraps no JSON Lines or CSV file that common
 * tools read: Hadoop's `.snappy` block format and Snappy's framing format
 * (`.sz`) are two different files, and zcat-like tools, DuckDB, Spark's text
 * readers and warehouse loaders (BigQuery, Snowflake) read neither of the
 * other's, while all of them read gzip and zstd.
 */
const REFUSED_BECAUSE: Partial<Record<Compression, string>> = {
  SNAPPY:
    'no common tool reads a JSON Lines or CSV file wrapped in Snappy (Hadoop\'s .snappy and Snappy\'s framing format differ); ' +
    'use ZSTD or GZIP, or PARQUET, whose columns it compresses with SNAPPY',
};

/** Why this build cannot write `spec`, or null when it can. */
export function unwritableReason(spec: Pick<OutputSpec, 'format' | 'compression'>): string | null {
  const compressions = WRITABLE[spec.format];
  if (compressions.length === 0) return `output.format ${spec.format} is not supported by this build`;
  if (!compressions.includes(spec.compression)) {
    const because = REFUSED_BECAUSE[spec.compression];
    return (
      `output.compression ${spec.compression} is not supported with ${spec.format}` +
      (because ? `: ${because}` : ` by this build; use one of ${compressions.join(', ')}`)
    );
  }
  return null;
}

/** The compression that wraps a whole file: the output's for JSON Lines and CSV; none for Parquet, which compresses its columns. */
export function wrappingCompression(spec: Pick<OutputSpec, 'format' | 'compression'>): Compression {
  return spec.format === 'PARQUET' ? 'NONE' : spec.compression;
}

/** The file name's extension: `.jsonl.gz`, `.csv.zst`, `.parquet`, … */
export function fileExtension(spec: Pick<OutputSpec, 'format' | 'compression'>): string {
  const base = { JSONL: '.jsonl', CSV: '.csv', PARQUET: '.parquet' }[spec.format];
  // `.parquet` alone: Parquet compresses its columns, not the file.
  return base + { NONE: '', GZIP: '.gz', ZSTD: '.zst', SNAPPY: '.snappy' }[wrappingCompression(spec)];
}

/**
 * The `Content-Type` a download is served with. A compressed file is served as
 * what it is (`application/gzip`), never with `Content-Encoding`: a browser
 * would undo the compression and save bytes that match neither the file's
 * name nor its sha256.
 */
export function contentTypeOf(spec: Pick<OutputSpec, 'format' | 'compression'>): string {
  const wrapping = wrappingCompression(spec);
  if (wrapping === 'GZIP') return 'application/gzip';
  if (wrapping === 'ZSTD') return 'application/zstd';
  return { JSONL: 'application/jsonl', CSV: 'text/csv; charset=utf-8', PARQUET: 'application/vnd.apache.parquet' }[spec.format];
}

/** A job's output, from the columns it is stored in. */
export function outputOf(job: { outputFormat: string; outputCompression: string; outputMaxRecordsPerFile: number }): OutputSpec {
  return {
    format: job.outputFormat as ExportFormat,
    compression: job.outputCompression as Compression,
    maxRecordsPerFile: job.outputMaxRecordsPerFile,
  };
}
