/**
 * The SSRF check at creation: every address the URL's host resolves to must be
 * one its scheme may be sent to (`refusedTarget`). Deliveries check again as
 * they connect (`allowedAddressLookup`), since DNS can answer differently later.
 */
import { isIP } from 'node:net';
import { badUserInput } from '../errors';
import { hostOf } from './webhookUrl';
import { refusedTarget } from './webhookTarget';
import type { WebhookResolver } from './webhookResolver';

/** How long creation waits for DNS: a request must not hang on a slow resolver. */
const RESOLVE_TIMEOUT_MS = 5_000;

/** Resolves when `url` may be sent to; BAD_USER_INPUT on `url` otherwise. */
export async function checkWebhookHost(url: URL, allowPrivate: boolean, resolver: WebhookResolver): Promise<void> {
  const host = hostOf(url);
  const addresses = isIP(host) ? [host] : await resolveAll(resolver, host);
  for (const address of addresses) {
    const reason = refusedTarget(address, url.protocol, allowPrivate);
    if (reason) {
      // A name's address is not told: the caller may not learn this network's internal addresses.
      const where = address === host ? host : `an address of ${host}`;
      throw badUserInput('url', `\`url\` may not be sent to: ${where} is ${reason}`);
    }
  }
}

async function resolveAll(resolver: WebhookResolver, host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), RESOLVE_TIMEOUT_MS);
  });
  try {
    const answers = await Promise.race([resolver.resolve(host), timeout]);
    if (answers.length === 0) throw new Error('no address');
    return answers.map((answer) => answer.address);
  } catch (error: unknown) {
    const reason = (error as { code?: string }).code ?? (error as Error).message;
    throw badUserInput('url', `\`url\`'s host ${host} does not resolve (${reason})`);
  } finally {
    clearTimeout(timer);
  }
}
