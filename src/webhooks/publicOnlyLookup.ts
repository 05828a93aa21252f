/**
 * A `lookup` for outgoing webhook requests that refuses to connect when any
 * address of the host is not public: checked on the addresses the socket is
 * about to use, so a DNS answer that changed since creation (DNS rebinding)
 * cannot reach a private address.
 */
import { lookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { refusedAddressRange } from './publicAddress';

/** Raised instead of connecting; its message says which address and why. */
export class RefusedAddressError extends Error {
  override name = 'RefusedAddressError';
}

export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  const all: LookupAllOptions = { ...options, all: true };
  lookup(hostname, all, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    for (const { address } of addresses) {
      const range = refusedAddressRange(address);
      if (range) {
        const refused = new RefusedAddressError(`refused: ${hostname} resolves to ${address}, not a public address (${range})`);
        return callback(refused, '', 0);
      }
    }
    // Node asks for every address when it races them (autoSelectFamily), else for one.
    if (options.all) return callback(null, addresses);
    const [first] = addresses;
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
    callback(null, first.address, first.family);
  });
};
