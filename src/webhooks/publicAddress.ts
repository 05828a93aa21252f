/**
 * Which IP addresses a webhook may be sent to: public unicast ones only, so
 * that a webhook URL cannot make the gateway reach into its own network (SSRF):
 * loopback, private, link-local (cloud metadata at 169.254.169.254),
 * unspecified, broadcast, multicast, carrier-grade NAT, unique-local IPv6,
 * reserved and documentation ranges are all refused. ipaddr.js names the ranges.
 */
import ipaddr from 'ipaddr.js';

/**
 * Why `address` may not be sent to (the name of its range, such as `loopback`),
 * or null when it is a public unicast address.
 */
export function refusedAddressRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'notAnAddress';
  // process(): an IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as the IPv4 address it is.
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv6') return refusedIpv6Range(parsed as ipaddr.IPv6);
  const range = parsed.range();
  return range === 'unicast' ? null : range;
}

function refusedIpv6Range(address: ipaddr.IPv6): string | null {
  // NAT64 (64:ff9b::/96) carries an IPv4 address: it is where the packets go.
  if (address.match(NAT64_PREFIX, 96)) {
    const [, , , , , , high = 0, low = 0] = address.parts;
    return refusedAddressRange(`${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`);
  }
  const range = address.range();
  if (range !== 'unicast') return range;
  // Only 2000::/3 is global unicast; the rest (IPv4-compatible ::a.b.c.d among it) is not assigned.
  return address.match(GLOBAL_UNICAST, 3) ? null : 'notGlobalUnicast';
}

const NAT64_PREFIX = ipaddr.IPv6.parse('64:ff9b::');
const GLOBAL_UNICAST = ipaddr.IPv6.parse('2000::');
