/**
 * A webhook deleted while a job of its tenant changes. The change's trigger queues the
 * tenant's webhooks a message; if it saw the webhook before the delete committed, its
 * message's foreign key failed once the delete did (23503), and the job change with it:
 * a cancel answered INTERNAL_SERVER_ERROR, an export's chunk failed the export. Both now
 * take the tenant's event lock (src/webhooks/tenantEventLock.ts), so one waits for the
 * other. PostgreSQL only: on PGlite's one connection nothing runs beside the delete.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANCEL_EXPORT_JOB } from '../fixtures/operations';
import { storageTargets } from '../helpers/databases';
import { startExport } from '../helpers/exportFlow';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { waitUntil } from '../helpers/waitUntil';
import { createWebhook, DELETE_WEBHOOK, freshTenant } from './webhookApi';

const postgres = storageTargets.find((target) => target.name === 'postgres')!;

describe('a webhook deleted while a job of its tenant changes, on PostgreSQL', () => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(postgres, {}, {}, {}, { webhooks: { allowPrivate: true, concurrency: 0 } });
  });
  afterAll(() => api?.close());

  /**
   * Sessions of this test's database waiting for a lock in a statement that starts with
   * `statement` (and, given, for a lock of kind `event`): only the two this test makes
   * wait count, not another session that happens to wait meanwhile.
   */
  const waiting = async (statement: string, event?: string) => {
    const [row] = await api.database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'
          and query like ${`${statement}%`} and (${event ?? null}::text is null or wait_event = ${event ?? null})`,
    );
    return row!.n;
  };

  it('lets the job change go through, queueing the deleted webhook nothing', async () => {
    const headers = freshTenant('REMOVAL_RACE');
    const webhook = await createWebhook(api, { url: 'http://127.0.0.1:9/hook' }, headers);
    const { jobId } = await startExport(api, {}, headers);

    // Holds the delete open after its row is gone: its cascade waits for the webhook's queued message.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    const holder = api.database.db.transaction(async (tx) => {
      await tx.execute(sql`select 1 from webhook_messages where webhook_id = ${webhook.id} for update`);
      held();
      await released;
    });
    await holding;
    try {
      const deleting = api.graphql(DELETE_WEBHOOK, { id: webhook.id }, headers);
      // The delete's cascade waits for the held message.
      await waitUntil(async () => (await waiting('delete from "webhooks"')) === 1, 10_000);
      const cancelling = api.graphql(CANCEL_EXPORT_JOB, { id: jobId }, headers);
      // The cancel's trigger waits for the tenant's event lock, which the delete holds.
      await waitUntil(async () => (await waiting('update "export_jobs"', 'advisory')) === 1, 10_000);
      release();
      await holder;
      const [deleted, cancelled] = await Promise.all([deleting, cancelling]);
      expect(deleted.errors).toBeUndefined();
      expect(cancelled.errors).toBeUndefined();
      expect(cancelled.data!.cancelExportJob.job.status).toBe('CANCELLED');
    } finally {
      release();
      await holder.catch(() => {});
    }
    const [left] = await api.database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from webhook_messages where webhook_id = ${webhook.id}`,
    );
    expect(left!.n).toBe(0);
  });
});
