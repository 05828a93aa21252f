/**
 * A collector that is down costs a shutdown at most a short, bounded wait for the
 * last spans, which are then dropped and said to be: it neither holds the shutdown
 * for the exporter's retries nor makes it fail.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { FLUSH_LIMIT_MS } from '../../src/tracing/startTracing';
import { createPostgresDatabase } from '../helpers/databases';
import { startService, stopService } from '../helpers/processes';
import { TENANT } from '../helpers/testServer';

/** A loopback port nothing listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('tracing to a collector that is down, on PostgreSQL', () => {
  it('shuts down within its bound and exits 0, saying the spans were left unsent', { timeout: 60_000 }, async () => {
    const database = await createPostgresDatabase();
    try {
      const server = await startService('serve', {
        DATABASE_URL: database.url,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await closedPort()}`,
        LOG_LEVEL: 'info',
      });
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...TENANT },
        body: JSON.stringify({ query: '{ exportJobs(first: 1) { totalCount } }' }),
      });
      expect(response.status).toBe(200);
      const signalled = performance.now();
      expect(await stopService(server, 'SIGTERM')).toBe(0);
      // The flush's bound, and what the rest of the shutdown takes beside it (the exporter retries for 10 s).
      expect(performance.now() - signalled).toBeLessThan(FLUSH_LIMIT_MS + 5_000);
      const unsent = server
        .output()
        .split('\n')
        .filter((line) => line.includes('Spans left unsent at shutdown'));
      expect(unsent).toHaveLength(1);
      expect(JSON.parse(unsent[0]!)).toMatchObject({ level: 'warn', reason: expect.any(String) });
    } finally {
      await database.drop();
    }
  });
});
