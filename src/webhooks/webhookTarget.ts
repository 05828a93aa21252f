/**
 * Which addresses a webhook URL may be sent to, by its scheme (the issue's
 * rule): `https` to public addresses; with WEBHOOK_ALLOW_PRIVATE=1 (local
 * development) also to loopback and private ones, and plain `http` only to
 * those, so the flag never sends an unencrypted request across the internet.
 * Link-local (cloud metadata at 169.254.169.254), multicast, reserved and the
 * other ranges `refusedAddressRange` names stay refused whatever the flag (SSRF).
 */
import { refusedAddressRange } from './publicAddress';

/** The non-public ranges WEBHOOK_ALLOW_PRIVATE opens: this machine and its own network. */
export const PRIVATE_RANGES: ReadonlySet<string> = new Set(['loopback', 'private', 'uniqueLocal']);

/**
 * Why a URL of `protocol` may not be sent to `address`, worded to follow the
 * address ("not a public address (loopback)"), or null when it may.
 */
export function refusedTarget(address: string, protocol: string, allowPrivate: boolean): string | null {
  const range = refusedAddressRange(address);
  if (range === null) {
    return protocol === 'https:' ? null : 'a public address, which only https may be sent to (http only to loopback or private addresses)';
  }
  if (allowPrivate && PRIVATE_RANGES.has(range)) return null;
  return allowPrivate ? `not a public, loopback or private address (${range})` : `not a public address (${range})`;
}
