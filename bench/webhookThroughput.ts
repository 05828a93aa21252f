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
import type { Database } from '../src/db/database';
import { startWebhookDeliverer } from '../src/webhooks/webhookDeliverer';
import { webhookPoolOptions } from '../src/webhooks/webhookPool';
import type { WebhookOptions } from '../src/webhooks/webhookOptions';
import { createAndCancelJob, onEachDatabase } from './benchDatabases';

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
  try {
    return await onEachDatabase(async (name, database) => {
      received = 0;
      const expected = await queueMessages(database, jobs, endpoints, url);
      const started = performance.now();
      const deliverer = startWebhookDeliverer({
        database,
        db: await database.boundedPool(webhookPoolOptions(OPTIONS)),
        logger: { info() {}, warn() {}, error: (message, fields) => console.error(message, fields) },
        options: OPTIONS,
        runnerId: 'bench',
      });
      while (received < expected) await new Promise((resolve) => setTimeout(resolve, 20));
      const seconds = (performance.now() - started) / 1000;
      await deliverer.stop();
      return {
        database: name,
        endpoints,
        deliveries: expected,
        seconds: Number(seconds.toFixed(2)),
        'deliveries /s': Math.round(expected / seconds),
        '≥ 500 /s': expected / seconds >= 500,
      };
    });
  } finally {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  }
}

/** Webhooks, then jobs created and cancelled: their events queue one message per webhook. Answers the messages queued. */
async function queueMessages(database: Database, jobs: number, endpoints: number, url: string): Promise<number> {
  const db = database.db;
  for (let i = 0; i < endpoints; i++) {
    await db.execute(sql`insert into webhooks (id, org_id, sandbox_name, url, secret)
      values (${`bench${String(i).padStart(19, '0')}`}, ${TENANT.orgId}, ${TENANT.sandboxName}, ${url},
              'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')`);
  }
  for (let i = 0; i < jobs; i++) await createAndCancelJob(db, TENANT);
  const [row] = await db.execute<{ n: number }>(sql`select count(*)::int as n from webhook_messages`);
  return Number(row!.n);
}
