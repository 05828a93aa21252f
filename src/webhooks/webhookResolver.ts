/**
 * Name resolution for webhooks, off libuv's threadpool. `dns.lookup` (getaddrinfo)
 * runs on the threadpool's four threads, which also serve downloads' file reads and
 * the gzip and zstd of result files: a tenant whose webhook host answers slowly (its
 * own DNS server can) held a thread per lookup until the system resolver gave up, and
 * four such lookups stalled every download and file write of the process. c-ares
 * (`dns.Resolver`) asks over the event loop's own sockets, with a timeout of its own.
 *
 * c-ares asks DNS only, so the hosts file is read here first, as getaddrinfo does
 * (hostsFile.ts); `localhost` and the names under it are the loopback addresses
 * (RFC 6761) whatever the file says.
 */
import { Resolver } from 'node:dns/promises';
import { hostsFile, type HostsFile } from './hostsFile';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface WebhookResolver {
  /** Every IPv4 and IPv6 address of `host` (IPv4 first); rejects with the DNS error's code when it has none. */
  resolve(host: string): Promise<ResolvedAddress[]>;
}

/** The first try; c-ares doubles it for the second, so a name that gets no answer fails after 4.5 s (creation waits 5). */
const TRY_TIMEOUT_MS = 1_500;

/**
 * `servers`: `WEBHOOK_DNS_SERVERS` (address or address:port); the system's (/etc/resolv.conf) when absent.
 * `hosts`: the names answered before DNS is asked (/etc/hosts).
 */
export function createWebhookResolver(servers?: readonly string[], hosts: HostsFile = hostsFile()): WebhookResolver {
  const resolver = new Resolver({ timeout: TRY_TIMEOUT_MS, tries: 2 });
  if (servers?.length) resolver.setServers([...servers]);
  return {
    async resolve(host) {
      const name = host.toLowerCase().replace(/\.$/, '');
      if (name === 'localhost' || name.endsWith('.localhost')) {
        return [
          { address: '127.0.0.1', family: 4 },
          { address: '::1', family: 6 },
        ];
      }
      const listed = await hosts.addressesOf(name);
      if (listed) return listed;
      const [v4, v6] = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
      const addresses: ResolvedAddress[] = [
        ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 as const })) : []),
        ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 as const })) : []),
      ];
      if (addresses.length > 0) return addresses;
      // No address at all: the IPv4 question's error says why (ENOTFOUND, ETIMEOUT, …).
      if (v4.status === 'rejected') throw v4.reason;
      throw Object.assign(new Error(`${name} has no address`), { code: 'ENODATA' });
    },
  };
}

const shared = new Map<string, WebhookResolver>();

/** One resolver a process for each list of servers (a c-ares channel reads resolv.conf as it starts). */
export function webhookResolverFor(servers?: readonly string[]): WebhookResolver {
  const key = servers?.join(',') ?? '';
  let resolver = shared.get(key);
  if (!resolver) shared.set(key, (resolver = createWebhookResolver(servers)));
  return resolver;
}
