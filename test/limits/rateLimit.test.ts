/** Requests a second per tenant: 429 RATE_LIMITED with Retry-After, counted across server processes on PostgreSQL. */
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, storageTargets } from '../helpers/databases';
import { startService, stopService, type ServiceProcess } from '../helpers/processes';
import { AWKWARD_PROFILES, exportProfiles } from '../helpers/resultFiles';
import { startTestServer, TENANT } from '../helpers/testServer';

const LIST = JSON.stringify({ query: '{ exportJobs(first: 1) { edges { cursor } } }' });

async function burst(urls: string[], count: number, tenant: Record<string, string>) {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const response = await fetch(urls[i % urls.length]!, { method: 'POST', headers: { 'content-type': 'application/json', ...tenant }, body: LIST });
      return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as any };
    }),
  );
}

describe('the per-tenant rate limit', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('refuses a tenant over its requests a second with 429 RATE_LIMITED and Retry-After, and no other tenant', async () => {
    const api = await startTestServer(storageTargets[0]!, {}, {}, { requestsPerSecond: 3 });
    cleanups.push(() => api.close());
    const answers = await burst([api.server.url], 6, TENANT);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(3);
    expect(refused[0]!.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 1 });
    expect(refused[0]!.retryAfter).toBe('1');
    expect(refused[0]!.body.data ?? null).toBeNull();
    const other = await burst([api.server.url], 3, { 'x-gw-ims-org-id': 'ORG_QUIET@AdobeOrg' });
    expect(other.map((answer) => answer.status)).toEqual([200, 200, 200]);
  });

  it.each(storageTargets.map((target) => [target.name, target] as const))(
    'counts each operation of a batched request as a request on %s',
    async (_name, target) => {
      const api = await startTestServer(target, {}, {}, { requestsPerSecond: 5 });
      cleanups.push(() => api.close());
      // A fresh tenant: its window opens with its first request.
      const tenant = { 'x-gw-ims-org-id': `ORG_BATCHED_${target.name}@AdobeOrg` };
      const batchOf = async (size: number) => {
        const body = JSON.stringify(Array.from({ length: size }, () => JSON.parse(LIST)));
        const response = await fetch(api.server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...tenant }, body });
        return { status: response.status, body: (await response.json()) as any };
      };
      // Sent together, so that both fall in the window the first opens: 6 operations against 5 a second.
      const answers = await Promise.all([batchOf(3), batchOf(3)]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 429]);
      expect(answers.find((answer) => answer.status === 429)!.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    },
  );

  it('counts an organisation over all its sandboxes too: new sandbox names bring no new budget', async () => {
    const api = await startTestServer(storageTargets[0]!, {}, {}, { requestsPerSecond: 3, orgRequestsPerSecond: 4 });
    cleanups.push(() => api.close());
    // Each request in a sandbox of its own, as a token granting the whole organisation allows.
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => burst([api.server.url], 1, { 'x-gw-ims-org-id': 'ORG_MANY_SANDBOXES@AdobeOrg', 'x-sandbox-name': `sb${i}` })),
    );
    const statuses = answers.flat().map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(5);
    const refused = answers.flat().find((answer) => answer.status === 429)!;
    expect(refused.body.errors[0]).toMatchObject({
      message: expect.stringMatching(/^Too many requests for this tenant's organisation, all its sandboxes together; retry in 1 s$/),
      extensions: { code: 'RATE_LIMITED', retryAfter: 1 },
    });
    const other = await burst([api.server.url], 3, { 'x-gw-ims-org-id': 'ORG_ANOTHER@AdobeOrg' });
    expect(other.map((answer) => answer.status)).toEqual([200, 200, 200]);
  });

  it("counts downloads through links apart from API requests: a link's holder cannot spend the tenant's API budget", async () => {
    const api = await startTestServer(storageTargets[0]!, { concurrency: 1 }, {}, { requestsPerSecond: 1_000, downloadsPerSecond: 3 });
    cleanups.push(() => api.close());
    const tenant = { 'x-gw-ims-org-id': 'ORG_LINKS@AdobeOrg' };
    const { files } = await exportProfiles(api, AWKWARD_PROFILES, { format: 'JSONL', compression: 'NONE' }, tenant);
    const link = files[0]!.downloadUrl;
    // Whoever holds the link, with no header of the tenant's, ten at once.
    const downloads = await Promise.all(Array.from({ length: 10 }, () => fetch(link)));
    const statuses = await Promise.all(downloads.map(async (response) => (await response.arrayBuffer(), response.status)));
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(6);
    const refused = downloads.find((response) => response.status === 429)!;
    expect(refused.headers.get('retry-after')).toBe('1');
    // The tenant's own API requests in the same second are served.
    const served = await burst([api.server.url], 5, tenant);
    expect(served.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
  });

  it('counts one budget per tenant over every server process on one PostgreSQL', async () => {
    const database = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    const env = { DATABASE_URL: database.url, RUNNER_CONCURRENCY: '0', LIMIT_REQUESTS_PER_SECOND: '4' };
    const servers: ServiceProcess[] = [await startService('serve', env), await startService('serve', env)];
    cleanups.push(() => Promise.all(servers.map((server) => stopService(server))));
    // Within one second: each process alone would allow 4, the shared budget allows 4 in all.
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000)));
    const answers = await burst(servers.map((server) => server.url), 8, TENANT);
    expect(answers.filter((answer) => answer.status === 200).length).toBeLessThanOrEqual(5);
    expect(answers.filter((answer) => answer.status === 429).length).toBeGreaterThanOrEqual(3);
  }, 60_000);
});
