/**
 * Cross-site WebSocket hijacking. Browsers apply no CORS to a WebSocket handshake: any page
 * a user opens may connect to `ws://127.0.0.1:4000/graphql` and act there. With callers
 * verified (AUTH_MODE=jwt) that page has no token, since tokens travel in `connection_init`
 * and are never ambient; without verification (AUTH_MODE=none, the local default) it could
 * read and write every tenant. So in that mode a handshake sent by a page of another site
 * is refused: one whose `Origin` is neither this machine, nor the host the request names (on
 * any port), nor PUBLIC_URL's. A client that is not a browser sends no `Origin` and is not
 * concerned.
 */
import type { IncomingMessage } from 'node:http';
import { hostnameOf } from './hostHeader';

export function isForeignPageHandshake(request: IncomingMessage, publicUrl: string | undefined): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  const originName = hostnameOf(origin);
  // `null` (a sandboxed frame, a file) or unreadable: no page of ours.
  if (originName === undefined) return true;
  if (isLoopbackName(originName)) return false;
  // The host the request names, on any port: a frontend of the same machine beside us.
  if (request.headers.host !== undefined && originName === hostnameOf(`http://${request.headers.host}`)) return false;
  return publicUrl === undefined || originName !== hostnameOf(publicUrl);
}


/** `localhost` (and its subdomains), 127.0.0.0/8, `[::1]` or `0.0.0.0`. */
function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(name) || name === '[::1]' || name === '0.0.0.0';
}
