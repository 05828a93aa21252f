/**
 * How an export's batches become files (`createExportJob(input: { output })`):
 * the format, the compression (for JSON Lines and CSV it wraps the file) and
 * how many records a file holds at most. One place says which combinations
 * this build can write; anything else is refused when the job is created.
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
  JSONL: ['NONE', 'GZIP'],
  CSV: ['NONE', 'GZIP'],
  PARQUET: [],
};

/** Why this build cannot write `spec`, or null when it can. */
export function unwritableReason(spec: Pick<OutputSpec, 'format' | 'compression'>): string | null {
  const compressions = WRITABLE[spec.format];
  if (compressions.length === 0) return `output.format ${spec.format} is not supported by this build`;
  if (!compressions.includes(spec.compression)) {
    return `output.compression ${spec.compression} is not supported with ${spec.format} by this build; use one of ${compressions.join(', ')}`;
  }
  return null;
}

/** The file name's extension: `.jsonl.gz`, `.csv`, … */
export function fileExtension(spec: Pick<OutputSpec, 'format' | 'compression'>): string {
  const base = { JSONL: '.jsonl', CSV: '.csv', PARQUET: '.parquet' }[spec.format];
  if (spec.format === 'PARQUET') return base; // Parquet compresses its columns, not the file.
  return base + { NONE: '', GZIP: '.gz', ZSTD: '.zst', SNAPPY: '.snappy' }[spec.compression];
}

/**
 * The `Content-Type` a download is served with. A compressed file is served as
 * what it is (`application/gzip`), never with `Content-Encoding`: a browser
 * would undo the compression and save bytes that match neither the file's
 * name nor its sha256.
 */
export function contentTypeOf(spec: Pick<OutputSpec, 'format' | 'compression'>): string {
  if (spec.format !== 'PARQUET' && spec.compression === 'GZIP') return 'application/gzip';
  if (spec.format !== 'PARQUET' && spec.compression === 'ZSTD') return 'application/zstd';
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
