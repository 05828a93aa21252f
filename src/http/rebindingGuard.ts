/**
 * DNS rebinding. Without verification (AUTH_MODE=none, the local default), a
 * page of another site can point its own name at 127.0.0.1 once it has loaded:
 * the browser then takes our server for that site and lets the page read every
 * answer, a same-origin request that no Origin check can tell apart. Such a
 * request names the page's site in its Host header, so in that mode only Hosts
 * that no site can rebind are served: an IP address, `localhost` (and
 * `*.localhost`, which browsers resolve to loopback themselves), and the
 * names an operator gave us: PUBLIC_URL's host, and HOST when it is a name
 * (`HOST=devbox.lan`), by which clients then reach us.
 */
import { hostnameOf, wellFormedHost } from './hostHeader';

/** The names an operator gave the server: PUBLIC_URL's URL, and HOST (what it listens on). */
export interface OwnNames {
  publicUrl: string | undefined;
  listenHost: string | undefined;
}

/** Whether a request naming `host` (its Host header) may be served without verification. */
export function servesHostWithoutVerification(host: string | undefined, own: OwnNames): boolean {
  // HTTP/1.0 without a Host: no browser sends that.
  if (host === undefined) return true;
  // A fully qualified name may end in a dot (`localhost.:4000`): the same name.
  const withoutRootDot = host.replace(/\.(?=(:\d{1,5})?$)/, '');
  if (!wellFormedHost(withoutRootDot)) return false;
  const name = hostnameOf(`http://${withoutRootDot}`);
  if (name === undefined) return false;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  // An address literal: nothing to resolve, so nothing to rebind.
  if (name.startsWith('[') || /^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return true;
  if (own.publicUrl !== undefined && name === hostnameOf(own.publicUrl)) return true;
  return own.listenHost !== undefined && name === hostnameOf(`http://${own.listenHost}`);
}

/** Why a Host is refused, for the client and the log. */
export function refusedHostMessage(host: string | undefined): string {
  return (
    `The Host ${JSON.stringify(host)} is not served without verification (AUTH_MODE=none): only localhost, ` +
    'an IP address, the host of PUBLIC_URL or the name HOST gives. Set PUBLIC_URL to the address clients use, or AUTH_MODE=jwt'
  );
}
