/** Maps a `batch_files` row onto the `BatchFile` type. */
import { badUserInput } from '../../errors';
import { MAX_DOWNLOAD_LINK_SECONDS, MIN_DOWNLOAD_LINK_SECONDS } from '../../files/downloadSignature';
import type { BatchFileResolvers, Compression, ExportFormat } from '../resolvers.generated';

export const BatchFile: BatchFileResolvers = {
  // The columns hold only what validateExportJobInput admitted.
  format: (file) => file.format as ExportFormat,
  compression: (file) => file.compression as Compression,
  // A local file's link is signed here; an S3 file's is presigned by the SDK (asynchronous; nothing is sent to S3).
  downloadUrl: async (file, { expiresInSeconds }, { fileLinks, headers }) => {
    const seconds = expiresInSeconds ?? 3600;
    if (!Number.isInteger(seconds) || seconds < MIN_DOWNLOAD_LINK_SECONDS || seconds > MAX_DOWNLOAD_LINK_SECONDS) {
      throw badUserInput(
        'expiresInSeconds',
        `\`expiresInSeconds\` must be ${MIN_DOWNLOAD_LINK_SECONDS} to ${MAX_DOWNLOAD_LINK_SECONDS.toLocaleString('en-US')}`,
      );
    }
    return fileLinks.downloadUrl(file, seconds, headers);
  },
};
