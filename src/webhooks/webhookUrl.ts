/** What a webhook URL may be, checked as text: length, scheme, no credentials. */
import { badUserInput } from '../errors';

export const MAX_URL_LENGTH = 2_048;

/**
 * The URL, parsed and normalised (`URL.href`), or BAD_USER_INPUT on `url`.
 * `https` only; `http` too when private targets are allowed (local development),
 * though only to loopback or private addresses (`refusedTarget`, on the addresses).
 */
export function parseWebhookUrl(text: string, allowPrivate: boolean): URL {
  if (text.length > MAX_URL_LENGTH) {
    throw badUserInput('url', `\`url\` must be at most ${MAX_URL_LENGTH} characters (got ${text.length})`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badUserInput('url', '`url` is not a valid URL');
  }
  const problem = schemeProblem(url, allowPrivate);
  if (problem) throw badUserInput('url', `\`url\` ${problem}`);
  // The normalised form can be longer (punycode, percent-encoding): the bound holds for what is stored.
  if (url.href.length > MAX_URL_LENGTH) {
    throw badUserInput('url', `\`url\` must be at most ${MAX_URL_LENGTH} characters once normalised`);
  }
  return url;
}

/** Why `url` may not be sent to as it is written, or null. Checked again at every delivery. */
export function schemeProblem(url: URL, allowPrivate: boolean): string | null {
  const allowed = allowPrivate ? ['https:', 'http:'] : ['https:'];
  if (!allowed.includes(url.protocol)) {
    return allowPrivate
      ? 'must be an http or https URL'
      : 'must be an https URL (http only to loopback or private addresses, with WEBHOOK_ALLOW_PRIVATE=1)';
  }
  // Credentials in a URL end up in logs and in every list of webhooks; the signature authenticates instead.
  if (url.username || url.password) return 'must not contain a user name or password';
  if (!url.hostname) return 'must name a host';
  return null;
}

/** The host to resolve or connect to: an IPv6 literal without its brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}
