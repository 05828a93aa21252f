/** Creating, reading, listing, rotating and deleting webhooks: validation, limits, SSRF, tenants. */
import { eq } from 'drizzle-orm';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhooks } from '../../src/db/schema';
import { storageTargets } from '../helpers/databases';
import { startTestServer, type TestServer } from '../helpers/testServer';
import {
  CREATE_WEBHOOK,
  createWebhook,
  DELETE_WEBHOOK,
  freshTenant,
  GET_WEBHOOK,
  LIST_WEBHOOKS,
  ROTATE_WEBHOOK_SECRET,
  WEBHOOK_DELIVERIES,
} from './webhookApi';

// A public address, never contacted: this server runs no deliverer (and no DNS lookup is needed).
const PUBLIC_URL = 'https://93.184.215.14/hooks/export-jobs';
const MAX_PER_TENANT = 3;

describe.each(storageTargets)('webhooks through the API on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target, {}, {}, {}, { webhooks: { maxPerTenant: MAX_PER_TENANT } });
  });
  afterAll(() => api?.close());

  const listIds = async (headers: Record<string, string>) => {
    const response = await api.graphql(LIST_WEBHOOKS, { first: 100 }, headers);
    expect(response.errors).toBeUndefined();
    return response.data!.webhooks.edges.map((edge: { node: { id: string } }) => edge.node.id) as string[];
  };

  it('creates a webhook and shows its secret once, in the Standard Webhooks form', async () => {
    const headers = freshTenant('CRUD');
    const input = {
      url: PUBLIC_URL,
      events: ['STATUS_CHANGED', 'CREATED', 'STATUS_CHANGED'],
      statuses: ['SUCCEEDED', 'FAILED'],
      description: 'Finished exports to the warehouse',
    };
    const response = await api.graphql(CREATE_WEBHOOK, { input }, headers);
    expect(response.errors).toBeUndefined();
    const { secret, webhook } = response.data!.createWebhook;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(() => new StandardWebhook(secret)).not.toThrow();
    expect(webhook).toMatchObject({
      url: PUBLIC_URL,
      // Repeats dropped, order kept.
      events: ['STATUS_CHANGED', 'CREATED'],
      statuses: ['SUCCEEDED', 'FAILED'],
      description: 'Finished exports to the warehouse',
      enabled: true,
      disabledReason: null,
      failingSince: null,
    });
    expect(webhook.id).toMatch(/^[0-9a-f]{24}$/);
    expect(Date.parse(webhook.createdAt)).not.toBeNaN();

    const read = await api.graphql(GET_WEBHOOK, { id: webhook.id }, headers);
    expect(read.data!.webhook).toEqual(webhook);
    // The secret is no field of `Webhook`: it cannot be read back.
    const asked = await api.graphql(`query($id: ID!) { webhook(id: $id) { secret } }`, { id: webhook.id }, headers);
    expect(asked.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('stores the URL normalised and every event type and status when the filters are omitted', async () => {
    const headers = freshTenant('CRUD');
    const response = await api.graphql(CREATE_WEBHOOK, { input: { url: 'HTTPS://93.184.215.14:443/a/../hook' } }, headers);
    expect(response.errors).toBeUndefined();
    expect(response.data!.createWebhook.webhook).toMatchObject({
      url: 'https://93.184.215.14/hook',
      events: null,
      statuses: null,
      description: null,
    });
  });

  it('lists the tenant’s webhooks newest first, a page at a time', async () => {
    const headers = freshTenant('CRUD');
    const created: string[] = [];
    for (let i = 0; i < 3; i++) created.push((await createWebhook(api, { url: `${PUBLIC_URL}/${i}` }, headers)).id);
    const first = await api.graphql(LIST_WEBHOOKS, { first: 2 }, headers);
    expect(first.errors).toBeUndefined();
    const page = first.data!.webhooks;
    expect(page.edges.map((edge: any) => edge.node.id)).toEqual([created[2], created[1]]);
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = await api.graphql(LIST_WEBHOOKS, { first: 2, after: page.pageInfo.endCursor }, headers);
    expect(second.data!.webhooks.edges.map((edge: any) => edge.node.id)).toEqual([created[0]]);
    expect(second.data!.webhooks.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('answers null for a webhook id that is unknown or could not be one', async () => {
    const headers = freshTenant('CRUD');
    for (const id of ['0123456789abcdef01234567', 'not-an-id', '']) {
      const response = await api.graphql(GET_WEBHOOK, { id }, headers);
      expect(response.errors).toBeUndefined();
      expect(response.data!.webhook).toBeNull();
    }
  });

  it('deletes a webhook once; then it is NOT_FOUND', async () => {
    const headers = freshTenant('CRUD');
    const { id } = await createWebhook(api, { url: PUBLIC_URL }, headers);
    const deleted = await api.graphql(DELETE_WEBHOOK, { id }, headers);
    expect(deleted.errors).toBeUndefined();
    expect(deleted.data!.deleteWebhook).toEqual({ deletedWebhookId: id });
    expect((await api.graphql(GET_WEBHOOK, { id }, headers)).data!.webhook).toBeNull();
    const again = await api.graphql(DELETE_WEBHOOK, { id }, headers);
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await api.graphql(DELETE_WEBHOOK, { id: 'nope' }, headers)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('rotates the secret: a new one each time, stored in place of the old', async () => {
    const headers = freshTenant('CRUD');
    const { id, secret } = await createWebhook(api, { url: PUBLIC_URL }, headers);
    const rotated = await api.graphql(ROTATE_WEBHOOK_SECRET, { id }, headers);
    expect(rotated.errors).toBeUndefined();
    const next = rotated.data!.rotateWebhookSecret;
    expect(next.webhook.id).toBe(id);
    expect(next.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(next.secret).not.toBe(secret);
    const [row] = await api.database.db.select().from(webhooks).where(eq(webhooks.id, id));
    expect(row?.secret).toBe(next.secret);
    const unknown = await api.graphql(ROTATE_WEBHOOK_SECRET, { id: '0123456789abcdef01234567' }, headers);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('shows no deliveries for a webhook nothing was sent to yet', async () => {
    const headers = freshTenant('CRUD');
    const { id } = await createWebhook(api, { url: PUBLIC_URL }, headers);
    const response = await api.graphql(WEBHOOK_DELIVERIES, { id, first: 10 }, headers);
    expect(response.errors).toBeUndefined();
    expect(response.data!.webhook.deliveries).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, endCursor: null },
    });
  });

  describe('refuses bad input with BAD_USER_INPUT naming the field, and writes nothing', () => {
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      ['a URL over 2,048 characters', { url: `https://93.184.215.14/${'a'.repeat(2048)}` }, 'url', /at most 2048/],
      ['text that is no URL', { url: 'not a url' }, 'url', /not a valid URL/],
      ['another scheme', { url: 'ftp://93.184.215.14/hook' }, 'url', /https/],
      ['http without WEBHOOK_ALLOW_PRIVATE', { url: 'http://93.184.215.14/hook' }, 'url', /https URL/],
      ['a URL with credentials', { url: 'https://user:secret@93.184.215.14/hook' }, 'url', /user name or password/],
      ['a URL with only a user name', { url: 'https://user@93.184.215.14/hook' }, 'url', /user name or password/],
      ['an empty list of events', { url: PUBLIC_URL, events: [] }, 'events', /omit it to get every type/],
      ['SNAPSHOT among the events', { url: PUBLIC_URL, events: ['CREATED', 'SNAPSHOT'] }, 'events', /SNAPSHOT/],
      ['an empty list of statuses', { url: PUBLIC_URL, statuses: [] }, 'statuses', /omit it to get every status/],
      ['a description over 500 characters', { url: PUBLIC_URL, description: 'd'.repeat(501) }, 'description', /at most 500/],
      ['a description holding a NUL', { url: PUBLIC_URL, description: 'a\u0000b' }, 'description', /contains a NUL character/],
    ];
    it.each(cases)('%s', async (_name, input, field, message) => {
      const headers = freshTenant('CRUD');
      const response = await api.graphql(CREATE_WEBHOOK, { input }, headers);
      expect(response.data).toBeNull();
      expect(response.errors).toHaveLength(1);
      expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(response.errors![0]!.message).toMatch(message);
      expect(await listIds(headers)).toEqual([]);
    });
  });

  describe('refuses a URL whose host is not a public address (SSRF) without WEBHOOK_ALLOW_PRIVATE', () => {
    const cases: [string, RegExp][] = [
      ['https://127.0.0.1/hook', /loopback/],
      ['https://127.0.0.1:4000/graphql', /loopback/],
      ['https://10.1.2.3/hook', /private/],
      ['https://192.168.0.10/hook', /private/],
      ['https://169.254.169.254/latest/meta-data/', /linkLocal/],
      ['https://100.64.0.1/hook', /carrierGradeNat/],
      ['https://0.0.0.0/hook', /unspecified/],
      ['https://224.0.0.1/hook', /multicast/],
      ['https://[::1]/hook', /loopback/],
      ['https://[fd12:3456::1]/hook', /uniqueLocal/],
      ['https://[fe80::1]/hook', /linkLocal/],
      ['https://[::ffff:10.0.0.1]/hook', /private/],
      // WHATWG URL parsing reads these as 127.0.0.1, as a client library would.
      ['https://2130706433/hook', /loopback/],
      ['https://0x7f.1/hook', /loopback/],
      // A name is resolved, and every address it has is checked.
      ['https://localhost/hook', /^`url` may not be sent to: an address of localhost is not a public address \(loopback\)$/],
    ];
    it.each(cases)('%s', async (url, reason) => {
      const headers = freshTenant('SSRF');
      const response = await api.graphql(CREATE_WEBHOOK, { input: { url } }, headers);
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
      expect(response.errors![0]!.message).toMatch(/not a public address/);
      expect(response.errors![0]!.message).toMatch(reason);
      expect(await listIds(headers)).toEqual([]);
    });
  });

  it('refuses a webhook beyond LIMIT_WEBHOOKS with LIMIT_EXCEEDED, even when created at once', async () => {
    const headers = freshTenant('LIMIT');
    const attempts = await Promise.all(
      Array.from({ length: MAX_PER_TENANT + 2 }, (_, i) =>
        api.graphql(CREATE_WEBHOOK, { input: { url: `${PUBLIC_URL}/${i}` } }, headers),
      ),
    );
    const refused = attempts.filter((response) => response.errors);
    expect(attempts.length - refused.length).toBe(MAX_PER_TENANT);
    for (const response of refused) {
      expect(response.errors![0]!.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', quota: 'webhooks' });
    }
    expect(await listIds(headers)).toHaveLength(MAX_PER_TENANT);
    // Refused before its host is looked up: a name that cannot resolve gets the limit, not a DNS error.
    const unresolvable = await api.graphql(CREATE_WEBHOOK, { input: { url: 'https://hooks.example.invalid/hook' } }, headers);
    expect(unresolvable.errors![0]!.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', quota: 'webhooks' });
    // Another tenant's webhooks do not count.
    await createWebhook(api, { url: PUBLIC_URL }, freshTenant('LIMIT'));
    // A deleted one frees its place.
    const [first] = await listIds(headers);
    await api.graphql(DELETE_WEBHOOK, { id: first }, headers);
    await createWebhook(api, { url: PUBLIC_URL }, headers);
  });

  it('keeps each tenant’s webhooks invisible to every other tenant', async () => {
    const owner = freshTenant('OWNER');
    const stranger = freshTenant('STRANGER');
    const otherSandbox = { ...owner, 'x-sandbox-name': 'dev' };
    const { id, secret } = await createWebhook(api, { url: PUBLIC_URL }, owner);
    for (const headers of [stranger, otherSandbox]) {
      expect((await api.graphql(GET_WEBHOOK, { id }, headers)).data!.webhook).toBeNull();
      expect(await listIds(headers)).toEqual([]);
      const deleted = await api.graphql(DELETE_WEBHOOK, { id }, headers);
      expect(deleted.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const rotated = await api.graphql(ROTATE_WEBHOOK_SECRET, { id }, headers);
      expect(rotated.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    const [row] = await api.database.db.select().from(webhooks).where(eq(webhooks.id, id));
    expect(row?.secret).toBe(secret);
    expect(await listIds(owner)).toEqual([id]);
    // A cursor of the owner's list means nothing to another tenant.
    const page = await api.graphql(LIST_WEBHOOKS, { first: 1 }, owner);
    const foreign = await api.graphql(LIST_WEBHOOKS, { after: page.data!.webhooks.pageInfo.endCursor }, stranger);
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe.each(storageTargets)('webhook URLs with WEBHOOK_ALLOW_PRIVATE on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target, {}, {}, {}, { webhooks: { allowPrivate: true } });
  });
  afterAll(() => api?.close());

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://[::1]:8080/hook',
    'http://10.1.2.3/hook',
    'http://192.168.0.10/hook',
    'http://[fd12:3456::1]/hook',
    // A name is resolved, and loopback is what it resolves to.
    'http://localhost:8080/hook',
    'https://172.16.0.5/hook',
    PUBLIC_URL,
  ])('accepts %s', async (url) => {
    const headers = freshTenant('PRIVATE');
    const { id } = await createWebhook(api, { url }, headers);
    expect((await api.graphql(GET_WEBHOOK, { id }, headers)).data!.webhook.url).toBe(new URL(url).href);
  });

  it.each([
    // Plain http never leaves this machine's own network, whatever the flag.
    ['http://93.184.215.14/hook', /93\.184\.215\.14 is a public address, which only https may be sent to/],
    ['http://[::ffff:93.184.215.14]/hook', /is a public address, which only https may be sent to/],
    // The flag opens loopback and private addresses, not cloud metadata and the rest.
    ['http://169.254.169.254/latest/meta-data/', /not a public, loopback or private address \(linkLocal\)/],
    ['https://169.254.169.254/latest/meta-data/', /not a public, loopback or private address \(linkLocal\)/],
    ['http://[fe80::1]/hook', /\(linkLocal\)/],
    ['http://100.64.0.1/hook', /\(carrierGradeNat\)/],
    ['http://0.0.0.0/hook', /\(unspecified\)/],
    ['http://224.0.0.1/hook', /\(multicast\)/],
    ['ftp://127.0.0.1/hook', /must be an http or https URL/],
  ])('refuses %s', async (url, reason) => {
    const headers = freshTenant('PRIVATE');
    const response = await api.graphql(CREATE_WEBHOOK, { input: { url } }, headers);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
    expect(response.errors![0]!.message).toMatch(reason);
    const listed = await api.graphql(LIST_WEBHOOKS, { first: 100 }, headers);
    expect(listed.data!.webhooks.edges).toEqual([]);
  });
});
