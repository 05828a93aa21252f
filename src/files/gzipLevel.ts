/**
 * The gzip level, for gzipped JSON Lines and CSV files and for Parquet's GZIP
 * column codec: zlib's own default, its balance of speed and size (level 9
 * costs about twice the CPU for a file 1–2% smaller). Written as the number
 * rather than `Z_DEFAULT_COMPRESSION` because the level is part of the bytes,
 * and so of the published sha256. Node's gzip header carries mtime 0, so the
 * same records give the same file (with the same zlib).
 */
export const GZIP_LEVEL = 6;
