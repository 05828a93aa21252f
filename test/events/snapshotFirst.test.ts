/**
 * A one-job watch that does not resume begins with its SNAPSHOT, even when a live event
 * of the job is handed out while the job is being read (README, "With `id`: first a
 * SNAPSHOT"). PostgreSQL only: there the watch's reads and the hub's run on different
 * connections and can finish in either order; PGlite answers them in turn.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_EVENTS_CHANNEL } from '../../src/events/databaseEventBus';
import type { WatchedJobEvent } from '../../src/events/watchedJobEvent';
import { storageTargets } from '../helpers/databases';
import { startExport } from '../helpers/exportFlow';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { waitUntil } from '../helpers/waitUntil';

const postgres = storageTargets.find((target) => target.name === 'postgres')!;
const orgId = 'ORG_SNAPSHOT_FIRST@AdobeOrg';
const headers = { 'x-gw-ims-org-id': orgId, 'x-sandbox-name': 'prod' };

describe('the first event of a one-job watch on PostgreSQL', () => {
  let api: TestServer;
  beforeAll(async () => {
    api = await startTestServer(postgres);
  });
  afterAll(() => api?.close());

  it('is its SNAPSHOT, though the job’s CREATED event was handed out while the job was read', async () => {
    // The CREATED event's notification, as it came.
    const payloads: string[] = [];
    const unlisten = await api.database.listen(JOB_EVENTS_CHANNEL, (payload) => payloads.push(payload));
    const { jobId } = await startExport(api, {}, headers);
    await waitUntil(() => payloads.some((payload) => JSON.parse(payload).jobId === Number(jobId)));
    await unlisten();
    const created = payloads.find((payload) => JSON.parse(payload).jobId === Number(jobId))!;
    // Its stored events pruned: a watch after sequence 0 cannot resume, and gets a snapshot.
    await api.database.db.execute(sql`delete from export_job_events where job_id = ${Number(jobId)}`);

    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let taken!: () => void;
    const lockTaken = new Promise<void>((resolve) => (taken = resolve));
    // Holds the watch between its read of the job and its look at the stored events.
    const holding = api.database.db.transaction(async (tx) => {
      await tx.execute(sql`lock table export_job_events in access exclusive mode`);
      taken();
      await released;
    });
    await lockTaken;
    try {
      const watching = api.server.hub.watch({ tenant: { orgId, sandboxName: 'prod' }, jobId, afterSequence: 0 });
      await waitUntil(async () => {
        const [row] = await api.database.db.execute<{ n: number }>(
          sql`select count(*)::int as n from pg_locks where relation = 'export_job_events'::regclass and not granted
            and database = (select oid from pg_database where datname = current_database())`,
        );
        return row!.n > 0;
      });
      // The event again, while the watch waits: the hub reads the job (not locked) and queues it.
      let heard = false;
      const unsubscribe = api.server.bus.subscribe((event) => (heard ||= event.jobId === Number(jobId)));
      await api.database.db.execute(sql`select pg_notify(${JOB_EVENTS_CHANNEL}, ${created})`);
      await waitUntil(() => heard);
      unsubscribe();
      // The hub, subscribed first, has begun its read of the job: time for it to end.
      await new Promise((resolve) => setTimeout(resolve, 300));
      release();
      await holding;
      const watch = await watching;
      const received: WatchedJobEvent[] = [];
      const ended = watch.deliverLive({ deliver: (event) => received.push(event), congested: () => false });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await watch.return!();
      await ended;
      // The snapshot, and not the CREATED event it already shows (the same sequence).
      expect(received.map((event) => `${event.type}:${event.status}:${event.sequence}`)).toEqual(['SNAPSHOT:NEW:1']);
    } finally {
      release();
      await holding.catch(() => {});
    }
  });
});
