/**
 * Download links of result files: absolute, and valid without any header
 * until they expire. Files on local disk get a link to this server signed with
 * HMAC (src/files/downloadSignature.ts), whose origin is PUBLIC_URL or else the
 * one the request was sent to; files in S3 get a URL presigned by the bucket's
 * credentials, which S3 itself checks.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ConfiguredFileStore } from './createFileStore';
import { signDownloadPath } from './downloadSignature';
import { wellFormedHost } from '../http/hostHeader';

/** What a link names: a `batch_files` row's columns. */
export interface LinkedFile {
  id: string;
  name: string;
  storageKey: string;
  format: string;
  compression: string;
}

export interface FileLinks {
  /** The link to one file, valid `expiresInSeconds` from now, for a request that came with `headers`. */
  downloadUrl(file: LinkedFile, expiresInSeconds: number, headers: IncomingHttpHeaders): Promise<string>;
}

export function fileLinks(options: {
  signingKey: Buffer;
  publicUrl: string | undefined;
  fallbackOrigin: () => string;
  store: ConfiguredFileStore;
}): FileLinks {
  const { store } = options;
  return {
    async downloadUrl(file, expiresInSeconds, headers) {
      if (store.kind === 's3') return store.downloadUrl(file, expiresInSeconds);
      // Rounded up: a link lives at least the seconds asked, never up to one less.
      const expiresAt = Math.ceil(Date.now() / 1000) + expiresInSeconds;
      const origin = options.publicUrl ?? originOf(headers) ?? options.fallbackOrigin();
      return origin + signDownloadPath(options.signingKey, file.id, expiresAt, file.name);
    },
  };
}

function originOf(headers: IncomingHttpHeaders): string | null {
  const host = headers.host;
  return wellFormedHost(host) ? `http://${host}` : null;
}
