/**
 * Webhook hosts are resolved by c-ares (webhookResolver.ts), against a real DNS server
 * started here (`WEBHOOK_DNS_SERVERS`): the SSRF check at creation sees every A and AAAA
 * answer, deliveries reach a host by its name, and a DNS server that never answers holds
 * none of the threads that downloads' file reads and result files' compression need.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile, mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostsFile, parseHosts } from '../../src/webhooks/hostsFile';
import { createWebhookResolver } from '../../src/webhooks/webhookResolver';
import { storageTargets } from '../helpers/databases';
import { startDnsServer, type DnsServer } from '../helpers/dnsServer';
import { startExport, waitForJob } from '../helpers/exportFlow';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { waitUntil } from '../helpers/waitUntil';
import { startWebhookReceiver } from '../helpers/webhookReceiver';
import { CREATE_WEBHOOK, createWebhook, freshTenant } from './webhookApi';

const pglite = storageTargets.find((target) => target.name === 'pglite')!;

describe('the webhook resolver', () => {
  let dns: DnsServer;
  beforeAll(async () => {
    dns = await startDnsServer({
      'both.hooks.test': { a: ['93.184.215.14'], aaaa: ['2606:2800:21f:cb07:6820:80da:af6b:8b2c'] },
      'v6only.hooks.test': { aaaa: ['2606:2800:21f:cb07:6820:80da:af6b:8b2c'] },
      'silent.hooks.test': 'silent',
    });
  });
  afterAll(() => dns?.close());

  it('answers every A and AAAA address of a name, IPv4 first', async () => {
    const resolver = createWebhookResolver(dns.servers);
    expect(await resolver.resolve('both.hooks.test')).toEqual([
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
    ]);
    expect(await resolver.resolve('V6ONLY.hooks.test.')).toEqual([{ address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 }]);
  });

  it('rejects a name DNS does not know with ENOTFOUND, and answers localhost without asking', async () => {
    const resolver = createWebhookResolver(dns.servers);
    await expect(resolver.resolve('missing.hooks.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    const before = dns.asked.length;
    expect((await resolver.resolve('localhost')).map((answer) => answer.address)).toEqual(['127.0.0.1', '::1']);
    expect((await resolver.resolve('app.localhost')).map((answer) => answer.address)).toEqual(['127.0.0.1', '::1']);
    expect(dns.asked.length).toBe(before);
  });

  it('holds no thread of the threadpool while a DNS server does not answer', async () => {
    const resolver = createWebhookResolver(dns.servers);
    // More lookups than the threadpool has threads (4): with getaddrinfo they would hold them all.
    let settled = 0;
    const lookups = Array.from({ length: 8 }, () =>
      resolver.resolve('silent.hooks.test').then(
        () => settled++,
        () => settled++,
      ),
    );
    const dir = await mkdtemp(join(tmpdir(), 'gw-resolver-'));
    try {
      const file = join(dir, 'data');
      await writeFile(file, randomBytes(1024 * 1024));
      // What downloads and result files do on the threadpool: file reads and compression.
      await Promise.all(Array.from({ length: 8 }, async () => promisify(gzip)(await readFile(file))));
      expect(settled).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await Promise.all(lookups);
    expect(settled).toBe(8);
  }, 20_000);

  it('answers a name the hosts file lists without asking DNS, and sees the file change', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-hosts-'));
    try {
      const path = join(dir, 'hosts');
      await writeFile(path, "127.0.0.1 localhost\n93.184.215.20 listed.hooks.test # as a container's extra_hosts\n");
      const resolver = createWebhookResolver(dns.servers, hostsFile(path, 0));
      const before = dns.asked.length;
      expect(await resolver.resolve('LISTED.hooks.test.')).toEqual([{ address: '93.184.215.20', family: 4 }]);
      expect(dns.asked.length).toBe(before);
      // A name the file does not list is DNS's.
      expect(await resolver.resolve('both.hooks.test')).toHaveLength(2);
      expect(dns.asked.length).toBeGreaterThan(before);

      await writeFile(path, '93.184.215.21 listed.hooks.test\n');
      await utimes(path, new Date(), new Date(Date.now() + 5_000));
      expect(await resolver.resolve('listed.hooks.test')).toEqual([{ address: '93.184.215.21', family: 4 }]);
      // A file that cannot be read for a moment (here a directory in its place) keeps its names.
      await rm(path);
      await mkdir(path);
      expect(await resolver.resolve('listed.hooks.test')).toEqual([{ address: '93.184.215.21', family: 4 }]);
      await rm(path, { recursive: true });
      // No file names no host.
      await expect(resolver.resolve('listed.hooks.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the hosts file', () => {
  it('gives each name every address listed for it, IPv4 first, and skips comments and lines without an address', () => {
    const names = parseHosts(
      [
        '# comment line',
        '127.0.0.1\tlocalhost',
        '::1 ip6-localhost hooks.test',
        '93.184.215.20  hooks.test  Alias.Hooks.Test.   # trailing comment',
        'not-an-address other.test',
        '93.184.215.20 hooks.test',
        '',
        '   ',
      ].join('\n'),
    );
    expect(names.get('hooks.test')).toEqual([
      { address: '93.184.215.20', family: 4 },
      { address: '::1', family: 6 },
    ]);
    expect(names.get('alias.hooks.test')).toEqual([{ address: '93.184.215.20', family: 4 }]);
    expect(names.get('localhost')).toEqual([{ address: '127.0.0.1', family: 4 }]);
    expect(names.has('other.test')).toBe(false);
    expect(names.has('comment')).toBe(false);
  });
});

describe('webhook hosts resolved through WEBHOOK_DNS_SERVERS', () => {
  let dns: DnsServer;
  let api: TestServer;
  beforeAll(async () => {
    dns = await startDnsServer({
      'public.hooks.test': { a: ['93.184.215.14'] },
      'internal.hooks.test': { a: ['10.0.0.7'] },
      'mixed.hooks.test': { a: ['93.184.215.14'], aaaa: ['fd00::7'] },
    });
    api = await startTestServer(pglite, {}, {}, {}, { webhooks: { dnsServers: dns.servers } });
  });
  afterAll(async () => {
    await api?.close();
    await dns?.close();
  });

  it('takes a name whose every address is public', async () => {
    const { id } = await createWebhook(api, { url: 'https://public.hooks.test/hook' }, freshTenant('DNS'));
    expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(dns.asked).toEqual(expect.arrayContaining(['A public.hooks.test', 'AAAA public.hooks.test']));
  });

  it.each([
    ['https://internal.hooks.test/hook', /^`url` may not be sent to: an address of internal\.hooks\.test is not a public address \(private\)$/],
    ['https://mixed.hooks.test/hook', /^`url` may not be sent to: an address of mixed\.hooks\.test is not a public address \(uniqueLocal\)$/],
    ['https://missing.hooks.test/hook', /^`url`'s host missing\.hooks\.test does not resolve \(ENOTFOUND\)$/],
  ])('refuses %s, naming no address', async (url, message) => {
    const response = await api.graphql(CREATE_WEBHOOK, { input: { url } }, freshTenant('DNS'));
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
    expect(response.errors![0]!.message).toMatch(message);
    expect(response.errors![0]!.message).not.toMatch(/10\.0\.0\.7|fd00/);
  });
});

describe('a delivery to a webhook host by its name', () => {
  let dns: DnsServer;
  let api: TestServer;
  beforeAll(async () => {
    dns = await startDnsServer({ 'receiver.hooks.test': { a: ['127.0.0.1'] } });
    api = await startTestServer(pglite, { concurrency: 1 }, {}, {}, { webhooks: { allowPrivate: true, dnsServers: dns.servers } });
  });
  afterAll(async () => {
    await api?.close();
    await dns?.close();
  });

  it('reaches the address the DNS server gives', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const headers = freshTenant('DNSDELIVERY');
      const url = new URL(receiver.url);
      url.hostname = 'receiver.hooks.test';
      const { secret } = await createWebhook(api, { url: url.href }, headers);
      receiver.secrets.push(secret);
      const { jobId } = await startExport(api, {}, headers);
      expect((await waitForJob(api, jobId, undefined, headers)).status).toBe('SUCCEEDED');
      await waitUntil(() => receiver.events().some((event) => event.data.job.id === jobId && event.data.event.status === 'SUCCEEDED'), 20_000);
      expect(receiver.requests.every((request) => request.headers.host === url.host)).toBe(true);
    } finally {
      await receiver.close();
    }
  });
});
