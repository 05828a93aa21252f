/**
 * Webhook deliveries a second from one instance's deliverer to a local
 * receiver, on PGlite and PostgreSQL: jobs are created and cancelled (two
 * events each) for a tenant with `endpoints` webhooks while no deliverer runs;
 * then one starts, and the clock runs until the receiver has every message.
 * The receiver verifies nothing and answers 204 at once: the figure is the
 * deliverer's (claims, signing, HTTP, recording), not a receiver's.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { createDb } from '../src/db/createDb';
import type { Database } from '../src/db/database';
import { startWebhookDeliverer } from '../src/webhooks/webhookDeliverer';
import { webhookPoolOptions } from '../src/webhooks/webhookPool';
import type { WebhookOptions } from '../src/webhooks/webhookOptions';
import { createPostgresDatabase } from '../test/helpers/databases';

const TENANT = { orgId: 'BENCH_HOOKS@AdobeOrg', sandboxName: 'prod' };
const OPTIONS: WebhookOptions = { allowPrivate: true, maxPerTenant: 100, concurrency: 16, timeoutMs: 10_000 };

export interface DeliveryFigures {
  database: string;
  endpoints: number;
  deliveries: number;
  seconds: number;
  'deliveries /s': number;
  '≥ 500 /s': boolean;
}

export async function measureWebhookThroughput(jobs: number, endpoints: number): Promise<DeliveryFigures[]> {
  let received = 0;
  const receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received++;
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const target = await createPostgresDatabase();
  const figures: DeliveryFigures[] = [];
  try {
    const databases: [string, () => Promise<Database>][] = [
      ['pglite', () => createDb({ url: 'memory://', dataDir: '' })],
      ['postgres', () => createDb({ url: target.url, dataDir: '' })],
    ];
    for (const [name, open] of databases) {
      const database = await open();
      try {
        received = 0;
        const expected = await queueMessages(database, jobs, endpoints, url);
        const started = performance.now();
        const deliverer = startWebhookDeliverer({
          database,
          db: await database.boundedPool(webhookPoolOptions(OPTIONS)),
          logger: { info() {}, error: (message, fields) => console.error(message, fields) },
          options: OPTIONS,
          runnerId: 'bench',
        });
        while (received < expected) await new Promise((resolve) => setTimeout(resolve, 20));
        const seconds = (performance.now() - started) / 1000;
        await deliverer.stop();
        figures.push({
          database: name,
          endpoints,
          deliveries: expected,
          seconds: Number(seconds.toFixed(2)),
          'deliveries /s': Math.round(expected / seconds),
          '≥ 500 /s': expected / seconds >= 500,
        });
      } finally {
        await database.close();
      }
    }
  } finally {
    await target.drop();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  }
  return figures;
}

/** Webhooks, then jobs created and cancelled: their events queue one message per webhook. Answers the messages queued. */
async function queueMessages(database: Database, jobs: number, endpoints: number, url: string): Promise<number> {
  const db = database.db;
  for (let i = 0; i < endpoints; i++) {
    await db.execute(sql`insert into webhooks (id, org_id, sandbox_name, url, secret)
      values (${`bench${String(i).padStart(19, '0')}`}, ${TENANT.orgId}, ${TENANT.sandboxName}, ${url},
              'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')`);
  }
  for (let i = 0; i < jobs; i++) {
    const [job] = await db.execute<{ id: number }>(sql`
      insert into export_jobs (org_id, sandbox_name, schema_name, merge_policy_id, merge_policy_version, filter, dataset_id, request_id)
      values (${TENANT.orgId}, ${TENANT.sandboxName}, '_xdm.context.profile', 'timestampOrdered-none-mp', 1,
              '{"emptyProfiles": false}'::jsonb, 'hooks000000000000000000', 'bench')
      returning id`);
    await db.execute(sql`update export_jobs set status = 'CANCELLED', finished_at = now() where id = ${job!.id}`);
  }
  const [row] = await db.execute<{ n: number }>(sql`select count(*)::int as n from webhook_messages`);
  return Number(row!.n);
}
