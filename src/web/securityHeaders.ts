/**
 * The headers on every response a browser renders from us: the playground, the
 * `/jobs` page and their assets. Each gets a Content-Security-Policy that allows
 * our own origin only, and of it only what that response is known to use (see
 * `test/web/*.test.ts`, which fail on any CSP violation); no MIME sniffing; no
 * framing by another site; no referrer sent to another site.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { wellFormedHost } from '../http/hostHeader';

/** What a browser is being sent; each kind has a policy of its own. */
export type BrowserResponse = 'playground' | 'jobsPage' | 'asset';

/**
 * The Content-Security-Policy for `response`, served to a request for `host`
 * (its Host header). WebSockets to that host are allowed by name, since `'self'`
 * covers ws:/wss: only in newer browsers (Chrome 71, Safari 16); with no usable
 * Host, `'self'` alone.
 */
export function contentSecurityPolicy(response: BrowserResponse, host: string | undefined): string {
  const connect = ["'self'", ...webSocketOrigins(host)].join(' ');
  return ["default-src 'none'", ...DIRECTIVES[response](connect), "frame-ancestors 'none'"].join('; ');
}

// GraphiQL's menus and dialogs (Radix, through react-remove-scroll-bar) lock the page's
// scroll with a <style> element they write, the only inline style it has. Its text depends on
// the page's scrollbar and body margins, which playground.css keeps at zero, so it is always
// the same; a GraphiQL upgrade that changes it fails the browser tests, and Chromium's console
// message then names the new hash.
const SCROLL_LOCK_STYLE_HASH = 'sha256-nzTgYzXYDNe6BAHiiI7NNlfK8n/auuOAhh2t92YvuXo=';

// What each response needs beyond `default-src 'none'`, given the allowed connect-src sources.
const DIRECTIVES: Record<BrowserResponse, (connect: string) => string[]> = {
  playground: (connect) => [
    "script-src 'self'",
    `style-src 'self' '${SCROLL_LOCK_STYLE_HASH}'`,
    // GraphiQL's stylesheet inlines its fonts; CodeMirror's drag image for selected text is an inline gif.
    'font-src data:',
    'img-src data:',
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
  ],
  jobsPage: (connect) => [
    "script-src 'self'",
    "style-src 'self'",
    `connect-src ${connect}`,
    "base-uri 'none'",
    // The tenant form works without JavaScript too: a GET of /jobs itself.
    "form-action 'self'",
  ],
  // A script or stylesheet runs under the policy of the page that loads it; this one only
  // governs the file opened on its own, which needs nothing.
  asset: () => [],
};

/** Every security header for `response`, by lower-case name. */
export function securityHeaders(response: BrowserResponse, host: string | undefined): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(response, host),
    'x-content-type-options': 'nosniff',
    // For browsers without CSP's frame-ancestors.
    'x-frame-options': 'DENY',
    // Not no-referrer: that would also make same-origin POSTs send `Origin: null`.
    'referrer-policy': 'same-origin',
  };
}

/** Sets `securityHeaders(response, Host)` on `res`, before anything is written. */
export function setSecurityHeaders(res: ServerResponse, response: BrowserResponse, request: IncomingHttpHeaders): void {
  for (const [name, value] of Object.entries(securityHeaders(response, request.host))) res.setHeader(name, value);
}

function webSocketOrigins(host: string | undefined): string[] {
  if (!wellFormedHost(host)) return [];
  const name = host.toLowerCase();
  // Both schemes: behind a TLS proxy the page is https (so wss) though we see plain http.
  return [`ws://${name}`, `wss://${name}`];
}

