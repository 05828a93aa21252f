/**
 * The SSRF check at creation: every address the URL's host resolves to must be
 * public (`refusedAddressRange`). Deliveries check again as they connect
 * (`publicOnlyLookup`), since DNS can answer differently later.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { badUserInput } from '../errors';
import { refusedAddressRange } from './publicAddress';
import { hostOf } from './webhookUrl';

/** How long creation waits for DNS: a request must not hang on a slow resolver. */
const RESOLVE_TIMEOUT_MS = 5_000;

/** Resolves when `url`'s host is public; BAD_USER_INPUT on `url` otherwise. */
export async function checkHostIsPublic(url: URL): Promise<void> {
  const host = hostOf(url);
  const addresses = isIP(host) ? [host] : await resolveAll(host);
  for (const address of addresses) {
    const range = refusedAddressRange(address);
    if (range) {
      const where = address === host ? host : `${host} resolves to ${address}, which`;
      throw badUserInput('url', `\`url\` may not be sent to: ${where} is not a public address (${range})`);
    }
  }
}

async function resolveAll(host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), RESOLVE_TIMEOUT_MS);
  });
  try {
    const answers = await Promise.race([lookup(host, { all: true, verbatim: true }), timeout]);
    if (answers.length === 0) throw new Error('no address');
    return answers.map((answer) => answer.address);
  } catch (error: unknown) {
    const reason = (error as { code?: string }).code ?? (error as Error).message;
    throw badUserInput('url', `\`url\`'s host ${host} does not resolve (${reason})`);
  } finally {
    clearTimeout(timer);
  }
}
