/**
 * The outbox: every change of a job writes its event in the change's own
 * transaction, whoever makes it; an aborted change leaves none; `jobEvents`
 * pages the stored log; retention prunes it a bounded step at a time.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneEvents, PRUNE_STEP } from '../../src/events/eventRetention';
import type { JobEvent } from '../../src/events/jobEvent';
import { CANCEL_EXPORT_JOB } from '../fixtures/operations';
import { storageTargets } from '../helpers/databases';
import { ingest, startExport, waitForJob, type ProfileSpec } from '../helpers/exportFlow';
import { expectBadInput } from '../helpers/expectations';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { waitUntil } from '../helpers/waitUntil';
import { startTestRunner } from '../helpers/testRunner';

let tenants = 0;
const freshTenant = () => ({ 'x-gw-ims-org-id': `ORG_OUTBOX_${++tenants}@AdobeOrg`, 'x-sandbox-name': 'prod' });
const profiles = (count: number): ProfileSpec[] =>
  Array.from({ length: count }, (_, i) => ({ profileId: `p${String(i).padStart(5, '0')}` }));

const JOB_EVENTS = /* GraphQL */ `
  query Events($jobId: ID, $first: Int, $after: String) {
    jobEvents(jobId: $jobId, first: $first, after: $after) {
      edges { cursor node { id type status previousStatus sequence progress { processedProfiles } job { id } } }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
`;

// On PostgreSQL the creation's NOTIFY may reach the bus after a test starts
// listening; the tests below are about the changes that follow it.
const isAfterCreation = (jobId: string) => (event: JobEvent) => String(event.jobId) === jobId && event.sequence > 1;

type StoredEvent = {
  job_id: string;
  sequence: number;
  type: string;
  status: string;
  previous_status: string | null;
};

describe.each(storageTargets)('the outbox on $name', (target) => {
  let api: TestServer;
  const stored = async (jobId: string): Promise<StoredEvent[]> =>
    api.database.db.execute<StoredEvent>(
      sql`select job_id::text, sequence, type, status, previous_status from export_job_events where job_id = ${Number(jobId)} order by id`,
    );

  beforeAll(async () => {
    api = await startTestServer(target, { concurrency: 0 }, {}, { requestsPerSecond: 100_000 });
  });
  afterAll(() => api?.close());

  it('stores every change of a run, numbered from 1 without a gap, as watchers were told it', async () => {
    const headers = freshTenant();
    await ingest(api, profiles(400), headers);
    const heard: JobEvent[] = [];
    const stopHearing = api.server.bus.subscribe((event) => heard.push(event));
    const { jobId } = await startExport(api, { filter: { emptyProfiles: true } }, headers);
    const runner = startTestRunner(api, { concurrency: 1, chunkSize: 10 });
    expect((await waitForJob(api, jobId, undefined, headers)).status).toBe('SUCCEEDED');
    await runner.stop();
    await waitUntil(() => heard.some((event) => String(event.jobId) === jobId && event.status === 'SUCCEEDED'));
    stopHearing();

    const events = await stored(jobId);
    expect(events.map((event) => event.sequence)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]).toMatchObject({ type: 'CREATED', status: 'NEW', previous_status: null });
    expect(events.filter((event) => event.type === 'STATUS_CHANGED').map((event) => [event.previous_status, event.status])).toEqual([
      ['NEW', 'PROCESSING'],
      ['PROCESSING', 'SUCCEEDED'],
    ]);
    // 40 chunks, but progress only every 250 ms or on a new tenth: the chunks are not all events.
    const progress = events.filter((event) => event.type === 'PROGRESS');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.length).toBeLessThan(40);
    // What the bus carried is exactly what is stored, in the same order.
    const live = heard.filter((event) => String(event.jobId) === jobId);
    expect(live.map((event) => [event.sequence, event.type, event.status])).toEqual(
      events.map((event) => [event.sequence, event.type, event.status]),
    );
  });

  it('writes the event of a change made by any writer, not only the API, and wakes watchers with it', async () => {
    const headers = freshTenant();
    const { jobId } = await startExport(api, {}, headers);
    const heard: JobEvent[] = [];
    const stopHearing = api.server.bus.subscribe((event) => heard.push(event));
    // A script, an admin or another service changes the row directly.
    await api.database.db.execute(
      sql`update export_jobs set status = 'CANCELLED', finished_at = now() where id = ${Number(jobId)}`,
    );
    await waitUntil(() => heard.some(isAfterCreation(jobId)));
    stopHearing();
    expect(heard.find(isAfterCreation(jobId))).toMatchObject({
      type: 'STATUS_CHANGED',
      status: 'CANCELLED',
      previousStatus: 'NEW',
      sequence: 2,
    });
    expect((await stored(jobId)).map((event) => event.type)).toEqual(['CREATED', 'STATUS_CHANGED']);
  });

  it('leaves no event of a change whose transaction rolls back, and announces none', async () => {
    const headers = freshTenant();
    const { jobId } = await startExport(api, {}, headers);
    const heard: JobEvent[] = [];
    const stopHearing = api.server.bus.subscribe((event) => heard.push(event));
    await expect(
      api.database.db.transaction(async (tx) => {
        await tx.execute(sql`update export_jobs set status = 'CANCELLED' where id = ${Number(jobId)}`);
        throw new Error('rolled back on purpose');
      }),
    ).rejects.toThrow('rolled back on purpose');
    // A change after it: once its event is heard, the rolled-back one would have been heard before it.
    await api.graphql(CANCEL_EXPORT_JOB, { id: jobId }, headers);
    await waitUntil(() => heard.some(isAfterCreation(jobId)));
    stopHearing();
    expect(heard.filter(isAfterCreation(jobId)).map((event) => [event.sequence, event.status])).toEqual([
      [2, 'CANCELLED'],
    ]);
    expect((await stored(jobId)).map((event) => event.sequence)).toEqual([1, 2]);
  });

  it('makes no event of a change that is neither status nor progress (a lease, a heartbeat)', async () => {
    const headers = freshTenant();
    const { jobId } = await startExport(api, {}, headers);
    await api.database.db.execute(
      sql`update export_jobs set locked_until = now(), locked_by = 'someone' where id = ${Number(jobId)}`,
    );
    expect((await stored(jobId)).map((event) => event.type)).toEqual(['CREATED']);
  });

  it('pages the stored events with jobEvents, oldest first, per job or for the tenant', async () => {
    const headers = freshTenant();
    const jobs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { jobId } = await startExport(api, {}, headers);
      await api.graphql(CANCEL_EXPORT_JOB, { id: jobId }, headers);
      jobs.push(jobId);
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const response = await api.graphql(JOB_EVENTS, { first: 4, after }, headers);
      const connection: any = response.data!.jobEvents;
      for (const edge of connection.edges) {
        expect(edge.cursor).toBe(edge.node.id);
        seen.push(`${edge.node.job.id}:${edge.node.type}:${edge.node.status}`);
      }
      expect(connection.pageInfo.hasPreviousPage).toBe(after !== null);
      after = connection.pageInfo.endCursor;
      if (!connection.pageInfo.hasNextPage) break;
    }
    expect(seen).toEqual(jobs.flatMap((id) => [`${id}:CREATED:NEW`, `${id}:STATUS_CHANGED:CANCELLED`]));

    const one = await api.graphql(JOB_EVENTS, { jobId: jobs[1] }, headers);
    expect(one.data!.jobEvents.edges.map((edge: any) => [edge.node.sequence, edge.node.previousStatus])).toEqual([
      [1, null],
      [2, 'NEW'],
    ]);
  });

  it("shows a tenant nothing of another's events, and refuses its cursors and job ids", async () => {
    const mine = freshTenant();
    const theirs = freshTenant();
    const { jobId } = await startExport(api, {}, theirs);
    const their = await api.graphql(JOB_EVENTS, {}, theirs);
    const theirCursor = their.data!.jobEvents.edges[0].cursor;

    expect((await api.graphql(JOB_EVENTS, {}, mine)).data!.jobEvents.edges).toEqual([]);
    const byJob = await api.graphql(JOB_EVENTS, { jobId }, mine);
    expect(byJob.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expectBadInput(await api.graphql(JOB_EVENTS, { after: theirCursor }, mine), 'after');
    expectBadInput(await api.graphql(JOB_EVENTS, { after: 'not-a-cursor' }, mine), 'after');
    expectBadInput(await api.graphql(JOB_EVENTS, { first: 101 }, mine), 'first');
  });

  it('prunes events past retention a step at a time, keeping those a webhook has still to be sent', async () => {
    const headers = freshTenant();
    const { jobId } = await startExport(api, {}, headers);
    await api.graphql(CANCEL_EXPORT_JOB, { id: jobId }, headers);
    const db = api.database.db;
    const id = Number(jobId);
    // Old enough to go: many events of this job (written here directly), and its two real ones.
    await db.execute(sql`
      insert into export_job_events (org_id, sandbox_name, job_id, sequence, type, status, processed_profiles, percent, job, occurred_at)
      select org_id, sandbox_name, id, 100 + n, 'PROGRESS', 'PROCESSING', n, 0, '{}'::jsonb, now() - interval '9 days'
      from export_jobs, generate_series(1, ${PRUNE_STEP + 5}) as n where id = ${id}`);
    await db.execute(sql`update export_job_events set occurred_at = now() - interval '8 days' where job_id = ${id} and sequence <= 2`);
    // A webhook still owes the CREATED event: it stays.
    await db.execute(sql`
      insert into webhooks (id, org_id, sandbox_name, url, secret)
      values ('0123456789abcdef01234567', ${headers['x-gw-ims-org-id']}, 'prod', 'https://example.com/hook', 'whsec_x')`);
    await db.execute(sql`
      insert into webhook_messages (webhook_id, event_id)
      select '0123456789abcdef01234567', id from export_job_events where job_id = ${id} and sequence = 1`);

    // Stopped after its first step: one statement deletes a step's worth, not all that is due.
    let steps = 0;
    const firstStep = await pruneEvents(db, { retentionDays: 7 }, () => steps++ > 0);
    expect(firstStep).toEqual({ events: PRUNE_STEP, deliveries: 0 });
    const [due] = await db.execute<{ n: number }>(
      sql`select count(*)::int as n from export_job_events where job_id = ${id} and sequence > 1`,
    );
    expect(due?.n).toBe(6);
    // Unstopped, it goes on a step at a time until nothing is due.
    const removed = await pruneEvents(db, { retentionDays: 7 });
    expect(removed.events).toBeGreaterThanOrEqual(6);
    const left = await db.execute<{ sequence: number }>(
      sql`select sequence from export_job_events where job_id = ${id} order by sequence`,
    );
    expect(left.map((row) => row.sequence)).toEqual([1]);
    // Nothing younger than the retention is touched.
    const otherJob = await startExport(api, {}, headers);
    await pruneEvents(db, { retentionDays: 7 });
    expect((await stored(otherJob.jobId)).length).toBe(1);
  });
});
