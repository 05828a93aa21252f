/**
 * The server's log as users see it, in a process of its own: an access line per
 * request when asked (ACCESS_LOG_SAMPLE), each line of a request with its
 * request id, and never the caller's token.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startService, stopService, type ServiceProcess } from '../helpers/processes';

const HEADERS = { 'content-type': 'application/json', 'x-gw-ims-org-id': 'ORG_LOGS@AdobeOrg' };
const TOKEN = 'eyJhbGciOiJub25lIn0.never-logged.x';

describe('the access log', { timeout: 60_000 }, () => {
  const services: ServiceProcess[] = [];
  afterAll(async () => {
    for (const service of services) await stopService(service, 'SIGKILL');
  });
  const lines = (service: ServiceProcess) =>
    service
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, any>);

  it('writes a line per request with operation, status, duration and request id, without the token', async () => {
    const server = await startService('serve', { DATABASE_URL: 'memory://', RUNNER_CONCURRENCY: '0', ACCESS_LOG_SAMPLE: '1' });
    services.push(server);
    const post = (body: unknown, requestId: string) =>
      fetch(server.url, {
        method: 'POST',
        headers: { ...HEADERS, 'x-request-id': requestId, authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(body),
      });
    expect((await post({ query: 'query Limits { exportLimits { requestsPerSecond } }' }, 'req-ok')).status).toBe(200);
    expect((await post({ query: 'query Broken { nope }' }, 'req-bad')).status).toBe(400);
    // Refused before they run: by Apollo's context (no tenant), and before Apollo (a batch too large).
    const withoutTenant = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-no-tenant' },
      body: JSON.stringify({ query: '{ exportLimits { requestsPerSecond } }' }),
    });
    expect(withoutTenant.status).toBe(401);
    const batch = Array.from({ length: 11 }, () => ({ query: '{ __typename }' }));
    expect((await post(batch, 'req-batch')).status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the lines reach our pipe

    const access = lines(server).filter((line) => line.message === 'GraphQL request');
    expect(access).toEqual([
      expect.objectContaining({ level: 'info', requestId: 'req-ok', operation: 'Limits', type: 'query', status: 200, durationMs: expect.any(Number) }),
      // An invalid document names no operation Apollo could choose.
      expect.objectContaining({ requestId: 'req-bad', operation: null, status: 400, errorCodes: ['GRAPHQL_VALIDATION_FAILED'] }),
      expect.objectContaining({ requestId: 'req-no-tenant', operation: null, status: 401, errorCodes: ['UNAUTHENTICATED'] }),
      expect.objectContaining({ requestId: 'req-batch', status: 400, durationMs: expect.any(Number), errorCodes: ['TOO_MANY_OPERATIONS'] }),
    ]);
    expect(server.output()).not.toContain(TOKEN);
  });

  it('puts the request id on the lines of a download, and sends the same back', async () => {
    const server = await startService('serve', { DATABASE_URL: 'memory://', RUNNER_CONCURRENCY: '0' });
    services.push(server);
    const download = server.url.replace(/\/graphql$/, '/files/00000000-0000-4000-8000-000000000000/x.jsonl.gz?expires=1&signature=forged');
    const refused = await fetch(download, { headers: { 'x-request-id': 'req-download' } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-request-id')).toBe('req-download');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(lines(server).filter((line) => line.message === 'Download link refused')).toEqual([
      expect.objectContaining({ requestId: 'req-download' }),
    ]);
  });

  it('writes none by default', async () => {
    const server = await startService('serve', { DATABASE_URL: 'memory://', RUNNER_CONCURRENCY: '0' });
    services.push(server);
    await fetch(server.url, { method: 'POST', headers: HEADERS, body: JSON.stringify({ query: '{ exportLimits { requestsPerSecond } }' }) });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(lines(server).some((line) => line.message === 'GraphQL request')).toBe(false);
    expect(lines(server).some((line) => line.message === 'Export jobs gateway ready')).toBe(true);
  });
});
