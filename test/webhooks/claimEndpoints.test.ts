/**
 * A deliverer's leases all bear its one id. An endpoint it still serves, whose lease has
 * passed (its renewals held up), must not be claimed again by the same deliverer: the old
 * claim's release or failure, landing on the new claim's lease, would free the endpoint
 * for another deliverer while the new claim sends, and one endpoint would get two
 * requests at once, out of order.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimEndpoints } from '../../src/webhooks/sql/claimEndpoints';
import { storageTargets } from '../helpers/databases';
import { startExport } from '../helpers/exportFlow';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { createWebhook, freshTenant } from './webhookApi';

describe.each(storageTargets)('claiming webhook endpoints on $name', (target) => {
  let api: TestServer;
  beforeAll(async () => {
    // No deliverer of the server's own: the test claims.
    api = await startTestServer(target, { concurrency: 0 }, {}, {}, { webhooks: { allowPrivate: true, concurrency: 0 } });
  });
  afterAll(() => api?.close());

  it('does not claim again an endpoint its deliverer still serves, though its lease has passed', async () => {
    const headers = freshTenant('CLAIM');
    const { id } = await createWebhook(api, { url: 'https://127.0.0.1:9/hook' }, headers);
    await startExport(api, {}, headers); // its CREATED event: a message for the endpoint
    // Served by this deliverer, under a lease that ran out a second ago.
    await api.database.db.execute(sql`update webhooks set locked_by = 'deliverer-a', locked_until = now() - interval '1 second' where id = ${id}`);
    const claim = (serving: string[]) =>
      claimEndpoints(api.database.db, { runnerId: 'deliverer-a', leaseMs: 30_000, limit: 10, perTenant: 10, serving });

    expect((await claim([id])).map((endpoint) => endpoint.id)).not.toContain(id);
    // Once that claim has ended, the endpoint is claimed again.
    expect((await claim([])).map((endpoint) => endpoint.id)).toContain(id);
  });
});
