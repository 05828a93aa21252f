/**
 * A `lookup` for outgoing webhook requests that refuses to connect when any
 * address of the host may not be sent to (`refusedTarget`): checked on the
 * addresses the socket is about to use, so a DNS answer that changed since
 * creation (DNS rebinding) cannot reach an address the URL may not.
 */
import { lookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { refusedTarget } from './webhookTarget';

/** Raised instead of connecting; its message says why, not which address. */
export class RefusedAddressError extends Error {
  override name = 'RefusedAddressError';
}

/** The lookup for a URL of `protocol` (`https:` or `http:`), with or without WEBHOOK_ALLOW_PRIVATE. */
export function allowedAddressLookup(protocol: string, allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    const all: LookupAllOptions = { ...options, all: true };
    lookup(hostname, all, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      for (const { address } of addresses) {
        const reason = refusedTarget(address, protocol, allowPrivate);
        // Not the address itself: the message reaches the tenant (a delivery's error), and the
        // internal addresses of this network's names are none of its business.
        if (reason) return callback(new RefusedAddressError(`refused: an address of ${hostname} is ${reason}`), '', 0);
      }
      // Node asks for every address when it races them (autoSelectFamily), else for one.
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      callback(null, first.address, first.family);
    });
  };
}
