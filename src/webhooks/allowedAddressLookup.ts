/**
 * A `lookup` for outgoing webhook requests that refuses to connect when any
 * address of the host may not be sent to (`refusedTarget`): checked on the
 * addresses the socket is about to use, so a DNS answer that changed since
 * creation (DNS rebinding) cannot reach an address the URL may not.
 */
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { WebhookResolver } from './webhookResolver';
import { refusedTarget } from './webhookTarget';

/** Raised instead of connecting; its message says why, not which address. */
export class RefusedAddressError extends Error {
  override name = 'RefusedAddressError';
}

/** The lookup for a URL of `protocol` (`https:` or `http:`), with or without WEBHOOK_ALLOW_PRIVATE. */
export function allowedAddressLookup(protocol: string, allowPrivate: boolean, resolver: WebhookResolver): LookupFunction {
  return (hostname, options, callback) => {
    // Answered outside the promise: an exception in Node's callback must not become a rejection nobody handles.
    const answer: typeof callback = (...args: Parameters<typeof callback>) => process.nextTick(() => callback(...args));
    resolver.resolve(hostname).then((resolved) => {
      // The family the socket asks for, when it asks for one.
      const addresses: LookupAddress[] = options.family === 4 || options.family === 6
        ? resolved.filter((address) => address.family === options.family)
        : resolved;
      for (const { address } of resolved) {
        const reason = refusedTarget(address, protocol, allowPrivate);
        // Not the address itself: the message reaches the tenant (a delivery's error), and the
        // internal addresses of this network's names are none of its business.
        if (reason) return answer(new RefusedAddressError(`refused: an address of ${hostname} is ${reason}`), '', 0);
      }
      // Node asks for every address when it races them (autoSelectFamily), else for one.
      if (options.all) return answer(null, addresses);
      const [first] = addresses;
      if (!first) return answer(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      answer(null, first.address, first.family);
    }, (error: NodeJS.ErrnoException) => answer(error, '', 0));
  };
}
