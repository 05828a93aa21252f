/**
 * A batch's manifest: the facts of its files as one document, served as
 * `Batch.manifest` and written as `manifest.json` beside the files. It holds
 * nothing that changes between runs, so a rerun writes the same bytes.
 */
import type { OutputSpec } from './outputSpec';

export interface ManifestFile {
  name: string;
  records: number;
  bytes: number;
  sha256: string;
}

export interface BatchManifest {
  batchId: string;
  datasetId: string;
  jobId: string;
  format: OutputSpec['format'];
  compression: OutputSpec['compression'];
  records: number;
  files: ManifestFile[];
}

export function batchManifest(
  batch: { id: string; datasetId: string; jobId: number },
  output: Pick<OutputSpec, 'format' | 'compression'>,
  files: readonly ManifestFile[],
): BatchManifest {
  return {
    batchId: batch.id,
    datasetId: batch.datasetId,
    jobId: String(batch.jobId),
    format: output.format,
    compression: output.compression,
    records: files.reduce((sum, file) => sum + file.records, 0),
    files: files.map(({ name, records, bytes, sha256 }) => ({ name, records, bytes, sha256 })),
  };
}

export const MANIFEST_NAME = 'manifest.json';
