/**
 * A job whose statement dies with its connection (a PostgreSQL restart, a failover, a
 * backend ended by an administrator) is handed back and resumed, not failed: an export from
 * its checkpoint, a segment evaluation from its start at the same time T. Reproduced for
 * real: another transaction keeps the chunk's insert waiting, and `pg_terminate_backend`
 * ends the backend that waits (SQLSTATE 57P01).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { ingest, startExport, waitForJob, type ProfileSpec } from '../helpers/exportFlow';
import { startTestRunner } from '../helpers/testRunner';
import { collect, subscriptionClient } from '../helpers/subscriptions';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { waitUntil } from '../helpers/waitUntil';
import { createDataset } from '../helpers/seedApi';
import { insertBatch, insertRecords, profileIds } from '../helpers/seedBatches';
import { createDefinition } from '../segments/definitions/segmentDefinitionApi';
import type { RunnerOptions } from '../../src/runner/runnerOptions';

const EVALUATE = /* GraphQL */ `
  mutation Evaluate($ids: [ID!]!) { evaluateSegments(segmentIds: $ids) { id } }
`;
const SEGMENT_JOB = /* GraphQL */ `
  query SegmentJob($id: ID!) { segmentJob(id: $id) { id status realized existing exited } }
`;

const postgres = storageTargets.find((target) => target.name === 'postgres')!;
const PROFILES = 240;

/** Profile i: in segment A when i is not a multiple of 4, with a first name. */
function profileOf(i: number): ProfileSpec {
  const profileId = `p${String(i).padStart(5, '0')}`;
  const segments = i % 4 === 0 ? [] : [{ segmentId: 'A', status: 'REALIZED' }];
  return { profileId, segments, attributes: { person: { name: { firstName: `F${i}` } } } };
}
const MEMBERS = Array.from({ length: PROFILES }, (_, i) => i).filter((i) => i % 4 !== 0);

describe('exports across a database error on PostgreSQL', () => {
  let api: TestServer;
  let tenants = 0;

  beforeAll(async () => {
    api = await startTestServer(postgres);
  });
  afterAll(() => api?.close());

  const freshTenant = () => ({ 'x-gw-ims-org-id': `ORG_TRANSIENT_${++tenants}@AdobeOrg`, 'x-sandbox-name': 'prod' });

  /**
   * Runs `work` while a lock of `mode` on `table` is held, ends the backend of the first
   * statement that waits for it, then lets go of the lock; `work`'s answer.
   */
  async function endingTheFirstWaiter<T>(table: string, mode: 'share' | 'access exclusive', work: () => Promise<T>): Promise<T> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let taken!: () => void;
    const lockTaken = new Promise<void>((resolve) => (taken = resolve));
    const holding = api.database.db.transaction(async (tx) => {
      await tx.execute(sql.raw(`lock table ${table} in ${mode} mode`));
      taken();
      await released;
    });
    await lockTaken;
    try {
      const working = work();
      let waiting: number | undefined;
      await waitUntil(async () => {
        const [row] = await api.database.db.execute<{ pid: number }>(
          sql`select pid from pg_locks where relation = ${table}::regclass and not granted
            and database = (select oid from pg_database where datname = current_database()) limit 1`,
        );
        waiting = row?.pid;
        return waiting !== undefined;
      }, 15_000);
      const [ended] = await api.database.db.execute<{ ended: boolean }>(sql`select pg_terminate_backend(${waiting}) as ended`);
      expect(ended!.ended).toBe(true);
      release();
      await holding;
      return await working;
    } finally {
      release();
      await holding.catch(() => {});
    }
  }

  /**
   * Runs `start` (which creates a job) beside one runner of `options`, while the first
   * statement to write into `table` is held behind a SHARE lock (reads go on) and its
   * backend terminated; then `finish` (which waits for the job's end).
   */
  async function throughTermination<T>(
    table: 'batch_records' | 'segment_memberships',
    options: Partial<RunnerOptions>,
    start: () => Promise<string>,
    finish: (id: string) => Promise<T>,
  ): Promise<T> {
    const runner = startTestRunner(api, { concurrency: 1, chunkSize: 20, ...options });
    try {
      const id = await endingTheFirstWaiter(table, 'share', start);
      return await finish(id);
    } finally {
      await runner.stop();
    }
  }

  /** Exports segment A of a fresh tenant through a terminated chunk; the job's id and status once it has ended. */
  async function exportThroughTermination(options: Partial<RunnerOptions>): Promise<{ jobId: number; status: string }> {
    const headers = freshTenant();
    await ingest(api, Array.from({ length: PROFILES }, (_, i) => profileOf(i)), headers);
    return throughTermination(
      'batch_records',
      options,
      async () => (await startExport(api, { fields: 'person.name.firstName', filter: { segments: [{ segmentId: 'A' }] } }, headers)).jobId,
      async (jobId) => ({ jobId: Number(jobId), status: (await waitForJob(api, jobId, undefined, headers, 30_000)).status as string }),
    );
  }

  /** Every member of A written once, with the first name the export asks for, and the counters agree. */
  async function expectEveryMemberOnce(jobId: number): Promise<void> {
    const records = await api.database.db.execute<{ profile_id: string; first_name: string }>(
      sql`select r.profile_id, r.record #>> '{person,name,firstName}' as first_name
          from batch_records r join batches b on b.id = r.batch_id where b.job_id = ${jobId} order by r.profile_id`,
    );
    expect([...records]).toEqual(MEMBERS.map((i) => ({ profile_id: `p${String(i).padStart(5, '0')}`, first_name: `F${i}` })));
    const [job] = await api.database.db.execute<{ exported_profiles: number }>(sql`select exported_profiles from export_jobs where id = ${jobId}`);
    expect(Number(job!.exported_profiles)).toBe(MEMBERS.length);
  }

  it('resumes an unsharded job from its checkpoint on a fresh connection, in a second attempt', async () => {
    const { jobId, status } = await exportThroughTermination({});
    expect(status).toBe('SUCCEEDED');
    await expectEveryMemberOnce(jobId);
    const [row] = await api.database.db.execute<{ attempts: number }>(sql`select attempts from export_jobs where id = ${jobId}`);
    expect(row!.attempts).toBe(2);
  });

  it('runs again the part of a sharded job whose chunk died, the job in its first attempt', async () => {
    const { jobId, status } = await exportThroughTermination({ shardMinProfiles: 60 });
    expect(status).toBe('SUCCEEDED');
    await expectEveryMemberOnce(jobId);
    const parts = await api.database.db.execute<{ attempts: number }>(sql`select attempts from export_job_parts where job_id = ${jobId} order by part`);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((part) => part.attempts).sort()).toEqual([...Array(parts.length - 1).fill(1), 2]);
    const [row] = await api.database.db.execute<{ attempts: number }>(sql`select attempts from export_jobs where id = ${jobId}`);
    expect(row!.attempts).toBe(1);
  });

  it('answers a request whose statement died with its connection SERVICE_UNAVAILABLE, with 503 and Retry-After', async () => {
    const headers = freshTenant();
    const { jobId } = await startExport(api, {}, headers);
    const answered = await endingTheFirstWaiter('export_jobs', 'access exclusive', () =>
      api.graphql(`query Page { exportJobs(first: 5) { edges { node { id } } } }`, {}, headers),
    );
    expect(answered.status).toBe(503);
    expect(answered.headers.get('retry-after')).toBe('1');
    expect(answered.data).toBeNull();
    expect(answered.errors).toEqual([
      {
        message: 'The database is unavailable for a moment; try again',
        path: ['exportJobs'],
        locations: [{ line: 1, column: 14 }],
        extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: 1 },
      },
    ]);
    expect(api.logs.some((line) => line.includes('"level":"warn"') && line.includes('The database failed for a moment'))).toBe(true);
    // Counted as the server's failure, under its code.
    const metrics = await (await fetch(new URL('/metrics', api.server.url))).text();
    expect(metrics).toMatch(/^gateway_graphql_errors_total\{code="SERVICE_UNAVAILABLE"\} [1-9]/m);
    expect(metrics).toMatch(/^gateway_graphql_request_duration_seconds_count\{operation="Page",outcome="server_error"\} [1-9]/m);
    // The pool has another connection for the next request.
    const again = await api.graphql(`query Page { exportJobs(first: 5) { edges { node { id } } } }`, {}, headers);
    expect(again.errors).toBeUndefined();
    expect(again.data!.exportJobs.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual([jobId]);
  });

  it('answers SERVICE_UNAVAILABLE over graphql-ws too: a query, and a watch whose first read died', async () => {
    const headers = freshTenant();
    const { jobId } = await startExport(api, {}, headers);
    const client = subscriptionClient(api, headers);
    try {
      const unavailable = { message: 'The database is unavailable for a moment; try again', extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: 1 } };
      const answered = await endingTheFirstWaiter('export_jobs', 'access exclusive', () =>
        client.iterate({ query: `query Page { exportJobs(first: 5) { edges { node { id } } } }` }).next(),
      );
      expect(answered.value).toEqual({ data: null, errors: [{ ...unavailable, path: ['exportJobs'], locations: [{ line: 1, column: 14 }] }] });
      const watched = await endingTheFirstWaiter('export_jobs', 'access exclusive', () => collect(client, { id: jobId }).done);
      expect(watched).toEqual({ completed: false, errors: [expect.objectContaining(unavailable)] });
      // The socket is still open, and the next watch gets its snapshot.
      const again = collect(client, { id: jobId }, (events) => events.length > 0);
      await again.done;
      expect(again.events[0]).toMatchObject({ type: 'SNAPSHOT', status: 'NEW', job: { id: jobId } });
    } finally {
      await client.dispose();
    }
  });

  it("delivers a live event whose job's read died with its connection, reading it again", async () => {
    const headers = freshTenant();
    const { jobId } = await startExport(api, {}, headers);
    const client = subscriptionClient(api, headers);
    try {
      const watch = collect(client, { id: jobId }, (events) => events.length >= 2);
      await waitUntil(async () => watch.events.length >= 1, 10_000);
      // An event of the job as the trigger sends it (no change of the row, which the lock would hold up).
      const payload = JSON.stringify({
        id: '999999999', jobId: Number(jobId), orgId: headers['x-gw-ims-org-id'], sandboxName: 'prod',
        type: 'PROGRESS', status: 'NEW', previousStatus: null, processedProfiles: 0, totalProfiles: null,
        percent: 0, sequence: 2, occurredAt: new Date().toISOString(),
      });
      // The hub's read of the job waits behind the lock, and its backend is ended.
      const done = await endingTheFirstWaiter('export_jobs', 'access exclusive', async () => {
        await api.database.db.execute(sql`select pg_notify('gw_job_events', ${payload})`);
        return watch.done;
      });
      expect(done.errors).toBeUndefined();
      expect(watch.events.map((event) => `${event.type}:${event.sequence}`)).toEqual(['SNAPSHOT:1', 'PROGRESS:2']);
    } finally {
      await client.dispose();
    }
  });

  it('answers a batch records download whose read died with its connection 503 SERVICE_UNAVAILABLE', async () => {
    const headers = freshTenant();
    const batch = await insertBatch(api, { datasetId: await createDataset(api, headers), headers });
    await insertRecords(api, batch.id, profileIds(3));
    const answered = await endingTheFirstWaiter('batches', 'access exclusive', async () => {
      const response = await fetch(new URL(`/data/batches/${batch.id}/records`, api.server.url), { headers });
      return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() };
    });
    expect(answered).toEqual({
      status: 503,
      retryAfter: '1',
      body: { errors: [{ message: 'The database is unavailable for a moment; try again', extensions: { code: 'SERVICE_UNAVAILABLE' } }] },
    });
  });

  it('answers a file download whose lookup died with its connection 503 SERVICE_UNAVAILABLE', async () => {
    const headers = freshTenant();
    await ingest(api, Array.from({ length: 10 }, (_, i) => profileOf(i)), headers);
    const runner = startTestRunner(api, { concurrency: 1 });
    let link: string;
    try {
      const { jobId } = await startExport(api, { filter: { segments: [{ segmentId: 'A' }] } }, headers);
      const job = await waitForJob(api, jobId, undefined, headers);
      expect(job.status).toBe('SUCCEEDED');
      const answer = await api.graphql(`query Files($id: ID!) { batch(id: $id) { files { downloadUrl } } }`, { id: job.destination.batchId }, headers);
      expect(answer.errors).toBeUndefined();
      link = answer.data!.batch.files[0].downloadUrl;
    } finally {
      await runner.stop();
    }
    const answered = await endingTheFirstWaiter('batch_files', 'access exclusive', async () => {
      const response = await fetch(link);
      return { status: response.status, retryAfter: response.headers.get('retry-after'), code: ((await response.json()) as any).errors[0].extensions.code };
    });
    expect(answered).toEqual({ status: 503, retryAfter: '1', code: 'SERVICE_UNAVAILABLE' });
    // A moment later, the link works.
    expect((await fetch(link)).status).toBe(200);
  });

  it('evaluates a segment job again from its start after its chunk died, with the counts of one evaluation', async () => {
    const headers = freshTenant();
    await ingest(api, Array.from({ length: PROFILES }, (_, i) => profileOf(i)), headers);
    const definition = await createDefinition(api, headers, { name: 'F1…', expression: { value: 'person.name.firstName.startsWith("F1")' } });
    // F1, F10–F19, F100–F199: 111 of the 240 names.
    const matching = Array.from({ length: PROFILES }, (_, i) => i).filter((i) => `F${i}`.startsWith('F1'));
    const job = await throughTermination(
      'segment_memberships',
      {},
      async () => {
        const response = await api.graphql(EVALUATE, { ids: [definition.id] }, headers);
        expect(response.errors).toBeUndefined();
        return response.data!.evaluateSegments.id as string;
      },
      async (id) => {
        let ended: Record<string, any> = {};
        await waitUntil(async () => {
          ended = (await api.graphql(SEGMENT_JOB, { id }, headers)).data!.segmentJob;
          return ended.status === 'SUCCEEDED' || ended.status === 'FAILED';
        }, 30_000);
        return ended;
      },
    );
    expect(job).toMatchObject({ status: 'SUCCEEDED', realized: matching.length, existing: 0, exited: 0 });
    const members = await api.database.db.execute<{ profile_id: string }>(
      sql`select profile_id from segment_memberships where segment_id = ${definition.id} and status = 'REALIZED' order by profile_id`,
    );
    expect(members.map((row) => row.profile_id)).toEqual(matching.map((i) => `p${String(i).padStart(5, '0')}`).sort());
    const [row] = await api.database.db.execute<{ attempts: number }>(sql`select attempts from segment_jobs where id = ${job.id}`);
    expect(row!.attempts).toBe(2);
  });
});
