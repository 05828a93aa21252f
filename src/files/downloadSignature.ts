/**
 * Signed download links: `/files/{id}?expires={unix seconds}&signature={mac}`,
 * where the mac is HMAC-SHA256 (base64url) over a versioned canonical string of
 * the file id and the expiry. Whoever holds the link may download the file until
 * it expires, with no header at all: the signature is the whole authority.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The shortest lifetime of a link (`BatchFile.downloadUrl(expiresInSeconds)`). */
export const MIN_DOWNLOAD_LINK_SECONDS = 1;
/** The longest lifetime of a link: a week. */
export const MAX_DOWNLOAD_LINK_SECONDS = 7 * 24 * 3600;

/** What a link's query says of it: genuine and in time, genuine but past its expiry, or not ours. */
export type DownloadVerdict = 'valid' | 'expired' | 'forged';

// Changing what is signed means a new tag: links of the old scheme then fail as forged, never mean something else.
const SCHEME = 'gw-file-download:v1';

// A decimal integer as we write one (no sign, no leading zero, at most 15 digits: a safe integer).
const EXPIRES = /^(?:0|[1-9]\d{0,14})$/;

/** The path and query of a link to `fileId` valid until `expiresAtSeconds` (unix seconds, an integer). */
export function signDownloadPath(key: Buffer, fileId: string, expiresAtSeconds: number, fileName?: string): string {
  if (!Number.isSafeInteger(expiresAtSeconds) || expiresAtSeconds < 0) {
    throw new RangeError(`expiresAtSeconds must be a non-negative integer (got ${expiresAtSeconds})`);
  }
  const signature = macOf(key, fileId, expiresAtSeconds);
  // The name is not signed: it only lets `curl -O` and browsers save the file under its own name.
  const name = fileName === undefined ? '' : `/${encodeURIComponent(fileName)}`;
  return `/files/${encodeURIComponent(fileId)}${name}?expires=${expiresAtSeconds}&signature=${signature}`;
}

/**
 * Whether `query` (of a request for `fileId`) carries a signature of ours, and
 * whether it is still in time at `nowSeconds`. The signature is checked before
 * the expiry, so 'expired' is said only of a link we issued; anything else
 * (a missing, repeated or malformed parameter, another id, expiry or key) is 'forged'.
 */
export function verifyDownload(key: Buffer, fileId: string, query: URLSearchParams, nowSeconds: number): DownloadVerdict {
  const expires = onlyValue(query, 'expires');
  const signature = onlyValue(query, 'signature');
  if (expires === null || signature === null || !EXPIRES.test(expires)) return 'forged';
  const expiresAtSeconds = Number(expires);
  const expected = Buffer.from(macOf(key, fileId, expiresAtSeconds));
  const given = Buffer.from(signature);
  // Comparing the text, not decoded bytes: base64url has several spellings of one mac, only ours is accepted.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'forged';
  return nowSeconds < expiresAtSeconds ? 'valid' : 'expired';
}

function macOf(key: Buffer, fileId: string, expiresAtSeconds: number): string {
  // A JSON array cannot be read two ways, whatever characters the id holds.
  const canonical = JSON.stringify([SCHEME, fileId, expiresAtSeconds]);
  return createHmac('sha256', key).update(canonical).digest('base64url');
}

/** The parameter's value when it appears exactly once: `expires=1&expires=9` names no expiry. */
function onlyValue(query: URLSearchParams, name: string): string | null {
  const values = query.getAll(name);
  return values.length === 1 ? (values[0] ?? null) : null;
}
