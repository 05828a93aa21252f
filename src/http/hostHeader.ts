/**
 * Whether a Host header is a host name, IPv4 or [IPv6] address, with an
 * optional port, and nothing else: safe to build an origin from (a link, a
 * CSP source), since it cannot carry a scheme, a path or a directive's end.
 */
export function wellFormedHost(host: string | undefined): host is string {
  return host !== undefined && HOST.test(host);
}

const HOST = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The host name of `url`, lower-cased, without its port and without the root dot a fully
 * qualified name may end in (`localhost.`); undefined when it has none.
 */
export function hostnameOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase().replace(/\.$/, '') || undefined;
  } catch {
    return undefined;
  }
}
