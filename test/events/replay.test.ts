/**
 * Resuming `jobStatusChanged`: stored events after a point first, then live
 * ones, with no gap and no duplicate at the seam — per job (`afterSequence`)
 * and for the tenant's stream (`after`).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneEvents } from '../../src/events/eventRetention';
import { REPLAY_PAGE } from '../../src/events/jobEventHub';
import { CANCEL_EXPORT_JOB } from '../fixtures/operations';
import { storageTargets } from '../helpers/databases';
import { ingest, startExport, type ProfileSpec } from '../helpers/exportFlow';
import { createDataset, createJob } from '../helpers/seedApi';
import { collect, subscriptionClient } from '../helpers/subscriptions';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { waitUntil } from '../helpers/waitUntil';
import { startTestRunner } from '../helpers/testRunner';

let tenants = 0;
const freshTenant = () => ({ 'x-gw-ims-org-id': `ORG_REPLAY_${++tenants}@AdobeOrg`, 'x-sandbox-name': 'prod' });
const profiles = (count: number): ProfileSpec[] =>
  Array.from({ length: count }, (_, i) => ({ profileId: `p${String(i).padStart(5, '0')}` }));

const EVENT_IDS = /* GraphQL */ `
  query Events($jobId: ID) {
    jobEvents(jobId: $jobId, first: 100) { edges { node { id sequence type status job { id } } } }
  }
`;

describe.each(storageTargets)('resuming jobStatusChanged on $name', (target) => {
  let api: TestServer;
  const storedEvents = async (headers: Record<string, string>, jobId?: string) =>
    (await api.graphql(EVENT_IDS, { jobId }, headers)).data!.jobEvents.edges.map((edge: any) => edge.node);
  const runJobs = () =>
    startTestRunner(api, { concurrency: 2, chunkSize: 5 });

  beforeAll(async () => {
    api = await startTestServer(target, { concurrency: 0 }, {}, { requestsPerSecond: 100_000 });
  });
  afterAll(() => api?.close());

  it('replays a job’s events after a sequence instead of a snapshot, and completes after its end', async () => {
    const headers = freshTenant();
    const { jobId } = await startExport(api, {}, headers);
    await api.graphql(CANCEL_EXPORT_JOB, { id: jobId }, headers);
    const client = subscriptionClient(api, headers);

    const fromStart = collect(client, { id: jobId, afterSequence: 0 });
    expect(await fromStart.done).toEqual({ completed: true });
    expect(fromStart.events.map((event) => [event.type, event.sequence, event.status])).toEqual([
      ['CREATED', 1, 'NEW'],
      ['STATUS_CHANGED', 2, 'CANCELLED'],
    ]);
    expect(fromStart.events.every((event) => typeof event.id === 'string')).toBe(true);

    const afterFirst = collect(client, { id: jobId, afterSequence: 1 });
    expect(await afterFirst.done).toEqual({ completed: true });
    expect(afterFirst.events.map((event) => event.sequence)).toEqual([2]);

    // Already at the end: nothing is missing, and the watch of an ended job completes.
    const upToDate = collect(client, { id: jobId, afterSequence: 2 });
    expect(await upToDate.done).toEqual({ completed: true });
    expect(upToDate.events).toEqual([]);
    await client.dispose();
  });

  it('refuses an afterSequence past the job’s latest event rather than hide the events up to it', async () => {
    const headers = freshTenant();
    const { jobId } = await startExport(api, {}, headers);
    const client = subscriptionClient(api, headers);
    const end = await collect(client, { id: jobId, afterSequence: 57 }).done;
    await client.dispose();
    expect(end.completed).toBe(false);
    expect((end.errors as any[])[0]).toMatchObject({
      message: `Export job ${jobId}'s events go up to sequence 1: \`afterSequence\` 57 is past them, perhaps another job's`,
      extensions: { code: 'BAD_USER_INPUT', field: 'afterSequence' },
    });
    expect(api.server.hub.watcherCount()).toBe(0);
  });

  it('meets the live events of a running job without a gap or a duplicate', async () => {
    const headers = freshTenant();
    await ingest(api, profiles(600), headers);
    const { jobId } = await startExport(api, { filter: { emptyProfiles: true } }, headers);
    const runner = runJobs();
    // Resume while the job runs: part of what follows is stored, part still to come.
    await waitUntil(async () => (await storedEvents(headers, jobId)).length >= 3, 20_000);
    const client = subscriptionClient(api, headers);
    const watch = collect(client, { id: jobId, afterSequence: 1 });
    expect(await watch.done).toEqual({ completed: true });
    await runner.stop();
    await client.dispose();

    const sequences = watch.events.map((event) => event.sequence);
    expect(sequences).toEqual(sequences.map((_, i) => i + 2));
    expect(watch.events.at(-1)).toMatchObject({ status: 'SUCCEEDED' });
    const stored = await storedEvents(headers, jobId);
    expect(watch.events.map((event) => event.id)).toEqual(stored.slice(1).map((event: any) => event.id));
  });

  it('gives a client that was away exactly the tenant’s events it missed, then goes on live', async () => {
    const headers = freshTenant();
    const first = await startExport(api, {}, headers);
    const client = subscriptionClient(api, headers);
    const before = collect(client, {}, (events) => events.length === 1);
    await waitUntil(() => api.server.hub.watcherCount() > 0);
    await api.graphql(CANCEL_EXPORT_JOB, { id: first.jobId }, headers);
    await before.done;
    const lastSeen = before.events[0].id as string;
    await client.dispose();

    // Away: jobs are created and cancelled, another tenant works too.
    const missed: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { jobId } = await startExport(api, {}, headers);
      await api.graphql(CANCEL_EXPORT_JOB, { id: jobId }, headers);
      missed.push(`${jobId}:CREATED`, `${jobId}:STATUS_CHANGED`);
      await startExport(api, {}, freshTenant());
    }

    const back = subscriptionClient(api, headers);
    const resumed = collect(back, { after: lastSeen }, (events) => events.length === missed.length + 2);
    await waitUntil(() => resumed.events.length === missed.length);
    const live = await startExport(api, {}, headers);
    await api.graphql(CANCEL_EXPORT_JOB, { id: live.jobId }, headers);
    await resumed.done;
    await back.dispose();
    expect(resumed.events.map((event) => `${event.job.id}:${event.type}`)).toEqual([
      ...missed,
      `${live.jobId}:CREATED`,
      `${live.jobId}:STATUS_CHANGED`,
    ]);
  });

  it('replays more than a page of the tenant’s missed events, of many jobs, each once and in order', async () => {
    const headers = freshTenant();
    const datasetId = await createDataset(api, headers);
    const newJob = async () => (await createJob(api, datasetId, headers, { fields: null, filter: null })).id as string;
    const origin = await newJob();
    const [lastSeen] = await storedEvents(headers, origin);

    // Away: every job is created, then every one cancelled, so the job sequences of the
    // missed events run 1, 1, …, 2, 2, …: more than a page, and a page ends among them.
    const jobs: string[] = [];
    while (jobs.length * 2 <= REPLAY_PAGE + 10) jobs.push(await newJob());
    for (const id of jobs) expect((await api.graphql(CANCEL_EXPORT_JOB, { id }, headers)).errors).toBeUndefined();
    const missed = [...jobs.map((id) => `${id}:1`), ...jobs.map((id) => `${id}:2`)];
    expect(missed.length).toBeGreaterThan(REPLAY_PAGE);

    const client = subscriptionClient(api, headers);
    const resumed = collect(client, { after: lastSeen.id }, (events) => events.length === missed.length + 1);
    await waitUntil(() => resumed.events.length >= missed.length, 20_000);
    // A live event after the replay: nothing may come between the missed ones and it.
    const live = await newJob();
    await resumed.done;
    await client.dispose();
    expect(resumed.events.map((event) => `${event.job.id}:${event.sequence}`)).toEqual([...missed, `${live}:1`]);
  });

  it('loses nothing and repeats nothing when the tenant’s stream is resumed while jobs change', async () => {
    const headers = freshTenant();
    await ingest(api, profiles(300), headers);
    const start = await startExport(api, {}, headers);
    const [origin] = await storedEvents(headers, start.jobId);
    const runner = runJobs();
    // Resumes in the middle of it all.
    const client = subscriptionClient(api, headers);
    const jobs = [start.jobId];
    let watch: ReturnType<typeof collect> | undefined;
    // Stopped whatever happens: a runner left behind would take the next tests' jobs.
    try {
      const creating = (async () => {
        for (let i = 0; i < 5; i++) jobs.push((await startExport(api, { filter: { emptyProfiles: true } }, headers)).jobId);
      })();
      watch = collect(client, { after: origin.id });
      await creating;
      await waitUntil(async () => {
        const stored = await storedEvents(headers);
        return jobs.every((id) => stored.some((event: any) => event.job.id === id && event.status === 'SUCCEEDED'));
      }, 45_000);
      const stored = (await storedEvents(headers)).slice(1);
      await waitUntil(() => watch!.events.length >= stored.length);
      watch.stop();

      const key = (event: any) => `${event.job.id}:${event.sequence}`;
      expect(watch.events.map(key).sort()).toEqual(stored.map(key).sort());
      // Each job's events in order (the tenant's stream interleaves jobs in commit order).
      for (const id of jobs) {
        const ofJob = watch.events.filter((event) => event.job.id === id).map((event) => event.sequence);
        expect(ofJob).toEqual([...ofJob].sort((a, b) => a - b));
      }
    } finally {
      watch?.stop();
      await runner.stop();
      await client.dispose();
    }
  }, 60_000);

  it('sends a snapshot first when the events to resume from are no longer kept', async () => {
    const headers = freshTenant();
    const { jobId } = await startExport(api, {}, headers);
    await api.graphql(CANCEL_EXPORT_JOB, { id: jobId }, headers);
    await api.database.db.execute(sql`delete from export_job_events where job_id = ${Number(jobId)} and sequence = 1`);
    const client = subscriptionClient(api, headers);
    const watch = collect(client, { id: jobId, afterSequence: 0 });
    expect(await watch.done).toEqual({ completed: true });
    await client.dispose();
    expect(watch.events).toEqual([expect.objectContaining({ type: 'SNAPSHOT', id: null, status: 'CANCELLED', sequence: 2 })]);
  });

  it('sends a snapshot first when a later event is gone though an earlier one is kept (a webhook still owed it)', async () => {
    const headers = freshTenant();
    const { jobId } = await startExport(api, {}, headers);
    await api.graphql(CANCEL_EXPORT_JOB, { id: jobId }, headers);
    // Pruning keeps what a webhook is still to be sent: CREATED (1) here, the CANCELLED after it gone.
    await api.database.db.execute(sql`delete from export_job_events where job_id = ${Number(jobId)} and sequence = 2`);
    const client = subscriptionClient(api, headers);
    const watch = collect(client, { id: jobId, afterSequence: 1 });
    expect(await watch.done).toEqual({ completed: true });
    await client.dispose();
    expect(watch.events).toEqual([expect.objectContaining({ type: 'SNAPSHOT', id: null, status: 'CANCELLED', sequence: 2 })]);
  });

  it('refuses to resume the tenant’s stream after an event that is no longer kept', async () => {
    const headers = freshTenant();
    const { jobId } = await startExport(api, {}, headers);
    await api.graphql(CANCEL_EXPORT_JOB, { id: jobId }, headers);
    const [first] = await storedEvents(headers);
    await api.database.db.execute(sql`delete from export_job_events where job_id = ${Number(jobId)} and sequence = 1`);
    const client = subscriptionClient(api, headers);
    const end = await collect(client, { after: first.id }).done;
    await client.dispose();
    expect((end.errors as any[])[0]).toMatchObject({
      message: expect.stringContaining('no longer kept'),
      extensions: { code: 'BAD_USER_INPUT', field: 'after' },
    });
    expect(api.server.hub.watcherCount()).toBe(0);
  });

  it('refuses to resume the tenant’s stream from a kept event when later ones of the tenant were pruned', async () => {
    const headers = freshTenant();
    const jobs = [(await startExport(api, {}, headers)).jobId, (await startExport(api, {}, headers)).jobId];
    for (const jobId of jobs) await api.graphql(CANCEL_EXPORT_JOB, { id: jobId }, headers);
    const [first, ...later] = await storedEvents(headers);
    expect(later).toHaveLength(3);
    // Past retention but the first: kept as an event a webhook still owes would be, or one stamped late.
    await api.database.db.execute(sql`
      update export_job_events set occurred_at = now() - interval '8 days'
      where org_id = ${headers['x-gw-ims-org-id']} and id > (select min(id) from export_job_events where org_id = ${headers['x-gw-ims-org-id']})`);
    await pruneEvents(api.database.db, { retentionDays: 7 });
    expect((await storedEvents(headers)).map((event: any) => event.id)).toEqual([first.id]);

    const client = subscriptionClient(api, headers);
    const end = await collect(client, { after: first.id }).done;
    await client.dispose();
    expect((end.errors as any[])[0]).toMatchObject({
      message: expect.stringContaining('or one after it, is no longer kept'),
      extensions: { code: 'BAD_USER_INPUT', field: 'after' },
    });
    expect(api.server.hub.watcherCount()).toBe(0);
  });

  it.each([
    ['afterSequence without id', { afterSequence: 1 }, 'afterSequence'],
    ['a negative afterSequence', { id: '100', afterSequence: -1 }, 'afterSequence'],
    ['after with an id', { id: '100', after: 'x' }, 'after'],
    ['an after that is no cursor', { after: 'not-a-cursor' }, 'after'],
  ])('refuses %s as bad input', async (_case, variables, field) => {
    const headers = freshTenant();
    const client = subscriptionClient(api, headers);
    const watch = collect(client, variables);
    const end = await watch.done;
    await client.dispose();
    expect(end.completed).toBe(false);
    expect((end.errors as any[])[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('refuses to resume from the cursor of another tenant', async () => {
    const theirs = freshTenant();
    await startExport(api, {}, theirs);
    const [theirEvent] = await storedEvents(theirs);
    const client = subscriptionClient(api, freshTenant());
    const end = await collect(client, { after: theirEvent.id }).done;
    await client.dispose();
    expect((end.errors as any[])[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
