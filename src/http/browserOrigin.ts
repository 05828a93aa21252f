/**
 * Cross-site WebSocket hijacking. Browsers apply no CORS to a WebSocket handshake: any page
 * a user opens may connect to `ws://127.0.0.1:4000/graphql` and act there. With callers
 * verified (AUTH_MODE=jwt) that page has no token, since tokens travel in `connection_init`
 * and are never ambient; without verification (AUTH_MODE=none, the local default) it could
 * read and write every tenant. So in that mode a handshake sent by a page of another site
 * is refused: one whose `Origin` is neither this machine, nor the host the request names,
 * nor PUBLIC_URL's. A client that is not a browser sends no `Origin` and is not concerned.
 */
import type { IncomingMessage } from 'node:http';

export function isForeignPageHandshake(request: IncomingMessage, publicUrl: string | undefined): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return true; // `null` (a sandboxed frame, a file) or unreadable: no page of ours
  }
  if (isLoopbackHost(originHost)) return false;
  if (originHost === request.headers.host?.toLowerCase()) return false;
  return publicUrl === undefined || originHost !== new URL(publicUrl).host.toLowerCase();
}

/** `localhost` (and its subdomains), 127.0.0.0/8 or `[::1]`, with any port. */
function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return name === 'localhost' || name.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(name) || name === '[::1]';
}
