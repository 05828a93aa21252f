/**
 * Download links of result files: absolute, signed, and valid without any
 * header until they expire (src/files/downloadSignature.ts). Their origin is
 * PUBLIC_URL, or else the one the request was sent to.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { signDownloadPath } from './downloadSignature';

export interface FileLinks {
  /** The link to one file, valid `expiresInSeconds` from now, for a request that came with `headers`. */
  downloadUrl(file: { id: string; name: string }, expiresInSeconds: number, headers: IncomingHttpHeaders): string;
}

export function fileLinks(options: { signingKey: Buffer; publicUrl: string | undefined; fallbackOrigin: () => string }): FileLinks {
  return {
    downloadUrl(file, expiresInSeconds, headers) {
      const expiresAt = Math.floor(Date.now() / 1000) + expiresInSeconds;
      const origin = options.publicUrl ?? originOf(headers) ?? options.fallbackOrigin();
      return origin + signDownloadPath(options.signingKey, file.id, expiresAt, file.name);
    },
  };
}

// A host name or address with an optional port, nothing else: a header cannot inject a path or a scheme.
const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

function originOf(headers: IncomingHttpHeaders): string | null {
  const host = headers.host;
  return host !== undefined && HOST.test(host) ? `http://${host}` : null;
}
