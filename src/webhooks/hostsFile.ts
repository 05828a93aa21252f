/**
 * The hosts file (/etc/hosts), read the way getaddrinfo reads it before asking DNS:
 * a container's `extra_hosts` or a pod's `hostAliases` name hosts there that no DNS
 * server knows, and a webhook to such a host must still be reachable once its name
 * is resolved by c-ares (webhookResolver.ts), which reads DNS only.
 *
 * Read again when its modification time changes, looked at no more than once every
 * `recheckMs`: a lookup costs a map read, and an edit is seen within a second.
 */
import { readFile, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { ResolvedAddress } from './webhookResolver';

export interface HostsFile {
  /** The addresses the file gives `name` (lower case, no trailing dot), IPv4 first; undefined when it names none. */
  addressesOf(name: string): Promise<ResolvedAddress[] | undefined>;
}

export const SYSTEM_HOSTS_FILE = '/etc/hosts';

export function hostsFile(path: string = SYSTEM_HOSTS_FILE, recheckMs = 1_000): HostsFile {
  let names = new Map<string, ResolvedAddress[]>();
  let modifiedMs: number | undefined;
  let checkedAt = -Infinity;
  let checking: Promise<void> | undefined;

  async function check(): Promise<void> {
    try {
      const modified = (await stat(path)).mtimeMs;
      if (modified !== modifiedMs) {
        names = parseHosts(await readFile(path, 'utf8'));
        modifiedMs = modified;
      }
    } catch (error: unknown) {
      // No file names no host: DNS answers for every name. A file that could not be read
      // this time (too many open files, replaced as it was read) keeps the names it gave,
      // and is read again at the next look: a host it names must not vanish for a moment.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        modifiedMs = undefined;
        return;
      }
      names = new Map();
      modifiedMs = undefined;
    }
  }

  return {
    async addressesOf(name) {
      if (performance.now() - checkedAt >= recheckMs) {
        checking ??= check().finally(() => {
          checkedAt = performance.now();
          checking = undefined;
        });
        await checking;
      }
      return names.get(name);
    },
  };
}

/**
 * Each name of a hosts file with its addresses: a line is an address, then its names;
 * `#` starts a comment. A name on several lines has every address given for it.
 */
export function parseHosts(text: string): Map<string, ResolvedAddress[]> {
  const names = new Map<string, ResolvedAddress[]>();
  for (const line of text.split('\n')) {
    const [address, ...aliases] = line.replace(/#.*/, '').trim().split(/\s+/);
    const family = address ? isIP(address) : 0;
    if (family !== 4 && family !== 6) continue;
    for (const alias of aliases) {
      const name = alias.toLowerCase().replace(/\.$/, '');
      const known = names.get(name) ?? [];
      if (!known.some((entry) => entry.address === address)) known.push({ address: address!, family });
      names.set(name, known);
    }
  }
  for (const addresses of names.values()) addresses.sort((a, b) => a.family - b.family);
  return names;
}
