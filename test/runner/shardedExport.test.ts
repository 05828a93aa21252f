/**
 * Sharded exports (issue 15), on both databases: a job above RUNNER_SHARD_MIN_PROFILES is
 * split into parts that runners claim and run; its records, counters and batches are
 * exactly those of the same export run unsharded, and a cancel ends every part.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANCEL_EXPORT_JOB } from '../fixtures/operations';
import { postgresWithCollation, storageTargets } from '../helpers/databases';
import { batchRow, ingest, recordsOf, startExport, waitForJob, type ProfileSpec } from '../helpers/exportFlow';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { testFileStore } from '../helpers/testFiles';
import { waitUntil } from '../helpers/waitUntil';
import type { Database } from '../../src/db/database';
import type { JobEvent } from '../../src/events/jobEvent';
import { claimNext } from '../../src/runner/sql/claimJob';
import { claimPartOf } from '../../src/runner/sql/claimPart';
import type { Runner } from '../../src/runner/runner';
import type { RunnerOptions } from '../../src/runner/runnerOptions';
import { startTestRunner } from '../helpers/testRunner';

const PROFILES = 600;
const NAMESPACES = ['email', 'phone', 'crm'];

/**
 * Profile i: in segment A when i is even, in B when i is a multiple of 3 (so 0, 6, 12… are in
 * both), with identities in one or two namespaces and a first name.
 */
function profileOf(i: number): ProfileSpec {
  const profileId = `p${String(i).padStart(5, '0')}`;
  const segments = [
    ...(i % 2 === 0 ? [{ segmentId: 'A', status: 'REALIZED' }] : []),
    ...(i % 3 === 0 ? [{ segmentId: 'B', status: 'EXISTING' }] : []),
  ];
  const identities = [{ namespace: NAMESPACES[i % 3]!, id: `${profileId}@x` }];
  if (i % 5 === 0) identities.push({ namespace: 'ecid', id: `ecid-${i}` });
  return { profileId, identities, segments, attributes: { person: { name: { firstName: `F${i}`, lastName: `L${i}` } } } };
}

/** What an export of `fields` `person.name.firstName` writes for profile i, worked out here rather than read back. */
function expectedRecord(i: number): Record<string, unknown> {
  const profile = profileOf(i);
  return { profileId: profile.profileId, person: { name: { firstName: `F${i}` } } };
}

describe.each(storageTargets)('sharded exports on $name', (target) => {
  let api: TestServer;
  let tenants = 0;
  const freshTenant = () => ({ 'x-gw-ims-org-id': `ORG_SHARDED_${++tenants}@AdobeOrg` });

  const events: JobEvent[] = [];
  beforeAll(async () => {
    api = await startTestServer(target);
    api.server.bus.subscribe((event) => events.push(event));
  });
  afterAll(() => api?.close());

  /** Two runners with these `options` (beside the tests' quick defaults) while `work` runs. */
  async function withRunners<T>(options: Partial<RunnerOptions>, work: () => Promise<T>): Promise<T> {
    const runners: Runner[] = [];
    const files = testFileStore();
    for (let i = 0; i < 2; i++) {
      runners.push(
        startTestRunner(api, { concurrency: 2, chunkSize: 20, ...options }, files),
      );
    }
    try {
      return await work();
    } finally {
      await Promise.all(runners.map((runner) => runner.stop()));
    }
  }

  const jobRow = async (jobId: string) => {
    const [row] = await api.database.db.execute<Record<string, any>>(
      sql`select status, processed_profiles, exported_profiles, exported_profiles_by_namespace, batch_id, batches from export_jobs where id = ${Number(jobId)}`,
    );
    return row!;
  };
  const partsOf = async (jobId: string) =>
    [...await api.database.db.execute<{ part: number; status: string; processed_profiles: number; after_profile_id: string | null; up_to_profile_id: string | null }>(
      sql`select part, status, processed_profiles, after_profile_id, up_to_profile_id from export_job_parts where job_id = ${Number(jobId)} order by part`,
    )].map((row) => ({ ...row, processed_profiles: Number(row.processed_profiles) }));

  it('writes, record for record, what the same export writes unsharded, with the same counters', async () => {
    const headers = freshTenant();
    await ingest(api, Array.from({ length: PROFILES }, (_, i) => profileOf(i)), headers);
    const input = { fields: 'person.name.firstName', filter: { segments: [{ segmentId: 'A' }, { segmentId: 'B' }] } };

    const unsharded = await withRunners({ concurrency: 2 }, async () => {
      const { jobId } = await startExport(api, input, headers);
      expect((await waitForJob(api, jobId, undefined, headers)).status).toBe('SUCCEEDED');
      return jobId;
    });
    let shardedJob: Record<string, any> = {};
    const sharded = await withRunners({ concurrency: 2, shardMinProfiles: 60 }, async () => {
      const { jobId } = await startExport(api, input, headers);
      shardedJob = await waitForJob(api, jobId, undefined, headers);
      expect(shardedJob.status).toBe('SUCCEEDED');
      return jobId;
    });
    expect(await partsOf(unsharded)).toEqual([]);
    const parts = await partsOf(sharded);
    // Members of A or B: i even or a multiple of 3, two thirds of the profiles; 60 each at the least.
    const members = Array.from({ length: PROFILES }, (_, i) => i).filter((i) => i % 2 === 0 || i % 3 === 0);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    expect(parts.every((part) => part.status === 'DONE')).toBe(true);
    // The ranges tile the key space: each starts where the last ended, the first and last open.
    expect(parts[0]!.after_profile_id).toBeNull();
    expect(parts.at(-1)!.up_to_profile_id).toBeNull();
    for (let i = 1; i < parts.length; i++) expect(parts[i]!.after_profile_id).toBe(parts[i - 1]!.up_to_profile_id);
    expect(parts.reduce((sum, part) => sum + part.processed_profiles, 0)).toBe(members.length);

    const [plain, split] = [await jobRow(unsharded), await jobRow(sharded)];
    const expected = members.map(expectedRecord);
    expect(await recordsOf(api, plain.batch_id)).toEqual(expected);
    expect(await recordsOf(api, split.batch_id)).toEqual(expected);
    expect(split.processed_profiles).toBe(members.length);
    expect(split.exported_profiles).toBe(members.length);
    // Namespaces: one per identity's namespace, counted once per record.
    const byNamespace: Record<string, number> = {};
    for (const i of members) for (const identity of profileOf(i).identities!) byNamespace[identity.namespace] = (byNamespace[identity.namespace] ?? 0) + 1;
    expect(split.exported_profiles_by_namespace).toEqual(byNamespace);
    expect(plain.exported_profiles_by_namespace).toEqual(byNamespace);
    // The job's metrics and progress as a client reads them: the parts' sums.
    expect(shardedJob.metrics.totalExportedProfileCounter).toBe(members.length);
    const namespaceCounts = shardedJob.metrics.exportedProfileByNamespaceCounter as { namespace: string; count: number }[];
    expect(Object.fromEntries(namespaceCounts.map(({ namespace, count }) => [namespace, count]))).toEqual(byNamespace);
    expect(shardedJob.progress).toMatchObject({ processedProfiles: members.length, totalProfiles: members.length });
    expect((await batchRow(api, split.batch_id))!.recordCount).toBe(members.length);

    // One ordered stream of the job's events, its progress the parts' sum, never going back.
    await waitUntil(() => events.some((event) => event.jobId === Number(sharded) && event.status === 'SUCCEEDED'));
    const stream = events.filter((event) => event.jobId === Number(sharded));
    expect(stream.map((event) => event.sequence)).toEqual(stream.map((_, i) => i + 1));
    const read = stream.map((event) => event.progress.processedProfiles);
    expect(read).toEqual([...read].sort((a, b) => a - b));
    expect(stream.filter((event) => event.type === 'PROGRESS').length).toBeGreaterThan(0);
    expect(stream.at(-1)!.progress).toEqual({ processedProfiles: members.length, totalProfiles: members.length, percent: 100 });
  });

  it('fills a batch per segment from every part (segmentPerBatch), each with its members only', async () => {
    const headers = freshTenant();
    await ingest(api, Array.from({ length: PROFILES }, (_, i) => profileOf(i)), headers);
    const jobId = await withRunners({ concurrency: 2, shardMinProfiles: 60 }, async () => {
      const { jobId } = await startExport(
        api,
        { fields: 'person.name.firstName', filter: { segments: [{ segmentId: 'A' }, { segmentId: 'B' }] }, destination: { segmentPerBatch: true } },
        headers,
      );
      expect((await waitForJob(api, jobId, undefined, headers)).status).toBe('SUCCEEDED');
      return jobId;
    });
    expect((await partsOf(jobId)).length).toBeGreaterThanOrEqual(2);
    const { batches } = await jobRow(jobId);
    const batchOf = (segmentId: string) => batches.find((batch: { segmentId: string }) => batch.segmentId === segmentId).batchId;
    const inA = Array.from({ length: PROFILES }, (_, i) => i).filter((i) => i % 2 === 0);
    const inB = Array.from({ length: PROFILES }, (_, i) => i).filter((i) => i % 3 === 0);
    expect(await recordsOf(api, batchOf('A'))).toEqual(inA.map(expectedRecord));
    expect(await recordsOf(api, batchOf('B'))).toEqual(inB.map(expectedRecord));
    expect((await batchRow(api, batchOf('A')))!.recordCount).toBe(inA.length);
    expect((await batchRow(api, batchOf('B')))!.recordCount).toBe(inB.length);
  });

  it('holds RUNNER_TENANT_LIMIT=1 over sharded jobs: one job held, one part running, at a time', async () => {
    const headers = freshTenant();
    await ingest(api, Array.from({ length: PROFILES }, (_, i) => profileOf(i)), headers);
    const orgId = headers['x-gw-ims-org-id']!;
    let mostJobs = 0;
    let mostParts = 0;
    await withRunners({ concurrency: 2, tenantLimit: 1, shardMinProfiles: 60, chunkSize: 10 }, async () => {
      const jobIds: string[] = [];
      for (let i = 0; i < 3; i++) jobIds.push((await startExport(api, { fields: 'person.name.firstName', filter: { segments: [{ segmentId: 'A' }] } }, headers)).jobId);
      for (;;) {
        const [row] = await api.database.db.execute<{ held: number | string; running: number | string; done: number | string }>(sql`
          select (select count(*) from export_jobs where org_id = ${orgId} and status = 'PROCESSING' and locked_until >= now()) as held,
                 (select count(*) from export_job_parts where org_id = ${orgId} and status = 'RUNNING' and locked_until >= now()) as running,
                 (select count(*) from export_jobs where org_id = ${orgId} and status = 'SUCCEEDED') as done`);
        mostJobs = Math.max(mostJobs, Number(row!.held));
        mostParts = Math.max(mostParts, Number(row!.running));
        if (Number(row!.done) === jobIds.length) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      for (const jobId of jobIds) expect((await partsOf(jobId)).length).toBeGreaterThanOrEqual(2);
    });
    // Four slots for three jobs of one tenant, and never more than one of them (nor of their parts) at once.
    expect(mostJobs).toBe(1);
    expect(mostParts).toBe(1);
  });

  it('ends every part when the job is cancelled, and leaves no record behind', async () => {
    const headers = freshTenant();
    await ingest(api, Array.from({ length: PROFILES }, (_, i) => profileOf(i)), headers);
    // Chunks of 2 profiles: the parts are still being read when the cancel comes.
    const { jobId, parts } = await withRunners({ concurrency: 2, shardMinProfiles: 60, chunkSize: 2 }, async () => {
      const { jobId } = await startExport(api, { fields: 'person.name.firstName', filter: { segments: [{ segmentId: 'A' }] } }, headers);
      await waitUntil(async () => (await partsOf(jobId)).filter((part) => part.status === 'RUNNING').length >= 2);
      const cancelled = await api.graphql(CANCEL_EXPORT_JOB, { id: jobId }, headers);
      expect(cancelled.errors).toBeUndefined();
      expect((await waitForJob(api, jobId, undefined, headers)).status).toBe('CANCELLED');
      return { jobId, parts: await partsOf(jobId) };
    });
    expect(parts.length).toBeGreaterThanOrEqual(2);
    // Ended with the job, in the same transaction: no part was left running, none read to its end.
    expect(parts.map((part) => part.status)).toEqual(parts.map(() => 'ENDED'));
    expect(parts.reduce((sum, part) => sum + part.processed_profiles, 0)).toBeLessThan(PROFILES / 2);
    const row = await jobRow(jobId);
    expect(row.exported_profiles).toBe(0);
    await waitUntil(async () => (await recordsOf(api, row.batch_id)).length === 0);
    // The runners are gone; nothing wrote a record after the removal either.
    expect(await recordsOf(api, row.batch_id)).toEqual([]);
  });

  /** A sharded job of a fresh tenant, its parts recorded and its runners stopped (every part handed back). */
  async function splitAndStopped(): Promise<{ jobId: string; headers: Record<string, string> }> {
    const headers = freshTenant();
    await ingest(api, Array.from({ length: PROFILES }, (_, i) => profileOf(i)), headers);
    const jobId = await withRunners({ concurrency: 1, shardMinProfiles: 60, chunkSize: 2 }, async () => {
      const { jobId } = await startExport(api, { fields: 'person.name.firstName', filter: { segments: [{ segmentId: 'A' }] } }, headers);
      await waitUntil(async () => (await partsOf(jobId)).some((part) => part.processed_profiles > 0));
      return jobId;
    });
    const parts = await partsOf(jobId);
    expect(parts.map((part) => part.status)).not.toContain('RUNNING');
    return { jobId, headers };
  }

  it('hands back the part its coordinator was running when it lost the job, without costing the part an attempt', async () => {
    const headers = freshTenant();
    await ingest(api, Array.from({ length: PROFILES }, (_, i) => profileOf(i)), headers);
    const job = await withRunners({ concurrency: 1, shardMinProfiles: 60, chunkSize: 1 }, async () => {
      const { jobId } = await startExport(api, { fields: 'person.name.firstName', filter: { segments: [{ segmentId: 'A' }] } }, headers);
      // The job's lease taken from its coordinator while it runs a part, as when its heartbeat
      // was held up past the lease and the job was claimed again.
      await waitUntil(async () => {
        const taken = await api.database.db.execute(sql`update export_jobs set locked_by = 'elsewhere'
          where id = ${Number(jobId)} and exists (
            select 1 from export_job_parts p where p.job_id = ${Number(jobId)} and p.status = 'RUNNING' and p.locked_by = export_jobs.locked_by)
          returning id`);
        return taken.length === 1;
      });
      // The coordinator halts its part at its next sum; the job's lease then ends, and a runner takes the job again.
      await waitUntil(async () => {
        const [held] = await api.database.db.execute<{ n: number }>(
          sql`select count(*)::int as n from export_job_parts where job_id = ${Number(jobId)} and status = 'RUNNING'`,
        );
        return held!.n === 0;
      });
      await api.database.db.execute(sql`update export_jobs set locked_by = null, locked_until = now() - interval '1 second' where id = ${Number(jobId)}`);
      return waitForJob(api, jobId, undefined, headers);
    });
    expect(job.status).toBe('SUCCEEDED');
    const attempts = await api.database.db.execute<{ attempts: number }>(
      sql`select attempts from export_job_parts where job_id = ${Number(job.id)} order by part`,
    );
    // Each part ran to its end once; the halted one was handed back with its attempt.
    expect(attempts.map((row) => row.attempts)).toEqual(attempts.map(() => 1));
  });

  it('fails the job with EXPORT_ATTEMPTS_EXHAUSTED when a part has run too often, and removes its records', async () => {
    const { jobId, headers } = await splitAndStopped();
    const { part } = (await partsOf(jobId)).find((each) => each.status === 'PENDING')!;
    // As a part looks after three runs whose runners died.
    await api.database.db.execute(sql`update export_job_parts set attempts = 3 where job_id = ${Number(jobId)} and part = ${part}`);
    const job = await withRunners({ maxAttempts: 3, shardMinProfiles: 60 }, () => waitForJob(api, jobId, undefined, headers));
    expect(job.status).toBe('FAILED');
    expect(job.errors).toEqual([
      { code: 'EXPORT_ATTEMPTS_EXHAUSTED', msg: 'A part of the export was interrupted too many times and has been given up', callStack: null },
    ]);
    expect((await partsOf(jobId)).map((each) => each.status)).toEqual((await partsOf(jobId)).map(() => 'ENDED'));
    const { batch_id: batchId } = await jobRow(jobId);
    await waitUntil(async () => (await recordsOf(api, batchId)).length === 0);
  });

  it('claims no part of a job whose part has failed: the job ends FAILED with nothing more read', async () => {
    const { jobId, headers } = await splitAndStopped();
    const before = await partsOf(jobId);
    const failed = before.find((part) => part.status === 'PENDING')!.part;
    await api.database.db.execute(
      sql`update export_job_parts set status = 'FAILED', error = 'Error' where job_id = ${Number(jobId)} and part = ${failed}`,
    );
    const job = await withRunners({ shardMinProfiles: 60 }, () => waitForJob(api, jobId, undefined, headers));
    expect(job.status).toBe('FAILED');
    expect(job.errors[0]).toMatchObject({ code: 'EXPORT_FAILED', callStack: 'Error' });
    // Every part ended as it was: none was claimed again, not a profile more was read.
    const after = await partsOf(jobId);
    expect(after.map((part) => part.processed_profiles)).toEqual(before.map((part) => part.processed_profiles));
    expect(after.map((part) => part.status)).toEqual(after.map(() => 'ENDED'));
  });

  it('fails the job with EXPORT_FAILED when a part fails, and removes what every part wrote', async () => {
    const { jobId, headers } = await splitAndStopped();
    const { batch_id: batchId } = await jobRow(jobId);
    // A record already there for the last member: the chunk that reaches it is refused by the
    // primary key (a record is never written twice), and its part fails.
    await api.database.db.execute(
      sql`insert into batch_records (batch_id, profile_id, record) values (${batchId}, ${`p${String(PROFILES - 2).padStart(5, '0')}`}, '{}')`,
    );
    const job = await withRunners({ shardMinProfiles: 60 }, () => waitForJob(api, jobId, undefined, headers));
    expect(job.status).toBe('FAILED');
    expect(job.errors).toHaveLength(1);
    expect(job.errors[0]).toMatchObject({ code: 'EXPORT_FAILED', msg: 'A part of the export failed; its partial data was removed' });
    expect((await partsOf(jobId)).map((each) => each.status)).toEqual((await partsOf(jobId)).map(() => 'ENDED'));
    await waitUntil(async () => (await recordsOf(api, batchId)).length === 0);
  });
});

describe('claiming a part held by a chunk in flight, on PostgreSQL', () => {
  const postgresTarget = storageTargets.find((target) => target.name === 'postgres')!;
  let database: Database;
  beforeAll(async () => {
    database = await postgresTarget.open();
  });
  afterAll(() => database?.close());

  /** A sharded job's part whose runner's lease ran out, but whose last chunk still holds the row. */
  async function jobWithExpiredPart(): Promise<number> {
    const [job] = await database.db.execute<{ id: number }>(sql`
      insert into export_jobs (org_id, sandbox_name, status, schema_name, merge_policy_id, merge_policy_version, filter, dataset_id, request_id, locked_by, locked_until)
      values ('ORG_SKIP@AdobeOrg', 'prod', 'PROCESSING', 's', 'm', 1, '{}', 'd', 'r', 'coordinator', now() + interval '1 minute')
      returning id`);
    const jobId = Number(job!.id);
    await database.db.execute(sql`
      insert into export_job_parts (job_id, part, org_id, sandbox_name, status, locked_by, locked_until)
      values (${jobId}, 1, 'ORG_SKIP@AdobeOrg', 'prod', 'RUNNING', 'gone', now() - interval '1 second')`);
    return jobId;
  }

  /** Runs `work` while another transaction, as that chunk in flight, holds part 1 of `jobId`. */
  async function whilePartHeld(jobId: number, work: () => Promise<void>): Promise<void> {
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked = () => {};
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const chunkInFlight = database.db.transaction(async (tx) => {
      await tx.execute(sql`select 1 from export_job_parts where job_id = ${jobId} and part = 1 for update`);
      locked();
      await released;
    });
    try {
      await isLocked;
      await work();
    } finally {
      release();
      await chunkInFlight;
    }
  }

  const options = { runnerId: 'claimer', leaseMs: 60_000, tenantLimit: 5 };

  it('passes the part over instead of waiting for its row, then takes it once the row is free', async () => {
    const jobId = await jobWithExpiredPart();
    await whilePartHeld(jobId, async () => {
      // Were either claim to wait for the row, it would wait forever: the row is freed only after both answer.
      expect(await claimPartOf(database.db, jobId, options)).toBeNull();
      expect(await claimNext(database.db, options)).toBeNull();
    });
    const claimed = await claimPartOf(database.db, jobId, options);
    expect(claimed?.part).toMatchObject({ jobId, part: 1, status: 'RUNNING', lockedBy: 'claimer', attempts: 1 });
    await database.db.execute(sql`delete from export_jobs where id = ${jobId}`);
  });

  it('claims the next oldest job meanwhile, rather than ending its claim at the held part', async () => {
    const olderId = await jobWithExpiredPart();
    // Another tenant's job, created after the sharded one: it comes second in the claim's order.
    const [newer] = await database.db.execute<{ id: number }>(sql`
      insert into export_jobs (org_id, sandbox_name, status, schema_name, merge_policy_id, merge_policy_version, filter, dataset_id, request_id, creation_time)
      values ('ORG_OTHER@AdobeOrg', 'prod', 'NEW', 's', 'm', 1, '{}', 'd', 'r', now() + interval '1 second')
      returning id`);
    await whilePartHeld(olderId, async () => {
      const claimed = await claimNext(database.db, options);
      expect(claimed).toMatchObject({ kind: 'export', job: { id: Number(newer!.id), status: 'PROCESSING', lockedBy: 'claimer' } });
    });
    await database.db.execute(sql`delete from export_jobs where id in (${olderId}, ${Number(newer!.id)})`);
  });

  it('passes over an export job whose lease ran out while its last chunk still holds the row, and claims the next', async () => {
    const [older] = await database.db.execute<{ id: number }>(sql`
      insert into export_jobs (org_id, sandbox_name, status, schema_name, merge_policy_id, merge_policy_version, filter, dataset_id, request_id, locked_by, locked_until, creation_time)
      values ('ORG_STALLED@AdobeOrg', 'prod', 'PROCESSING', 's', 'm', 1, '{}', 'd', 'r', 'gone', now() - interval '1 second', now() - interval '1 minute')
      returning id`);
    const [newer] = await database.db.execute<{ id: number }>(sql`
      insert into export_jobs (org_id, sandbox_name, status, schema_name, merge_policy_id, merge_policy_version, filter, dataset_id, request_id)
      values ('ORG_OTHER@AdobeOrg', 'prod', 'NEW', 's', 'm', 1, '{}', 'd', 'r')
      returning id`);
    let release = () => {};
    let locked = () => {};
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const chunkInFlight = database.db.transaction(async (tx) => {
      await tx.execute(sql`select 1 from export_jobs where id = ${older!.id} for update`);
      locked();
      await new Promise<void>((resolve) => (release = resolve));
    });
    try {
      await isLocked;
      // Were the claim to wait for the row, it would wait forever: the row is freed only after it answers.
      expect(await claimNext(database.db, options)).toMatchObject({ kind: 'export', job: { id: Number(newer!.id), lockedBy: 'claimer' } });
    } finally {
      release();
      await chunkInFlight;
    }
    // Free again, the stalled job is taken by the next claim.
    expect(await claimNext(database.db, options)).toMatchObject({ kind: 'export', job: { id: Number(older!.id), lockedBy: 'claimer', attempts: 1 } });
    await database.db.execute(sql`delete from export_jobs where id in (${older!.id}, ${newer!.id})`);
  });
});

describe('sharded exports under a collation that is not C (ICU en-US), on PostgreSQL', () => {
  let api: TestServer;
  beforeAll(async () => {
    api = await startTestServer(postgresWithCollation('en-US'));
  });
  afterAll(() => api?.close());

  // Ids whose order differs between C (capitals first, '-' before digits) and en-US (case and
  // punctuation weigh less than letters): the ranges, checkpoints and sample must all use one order.
  const PREFIXES = ['a', 'B', 'c', 'D', 'a-', 'b_', 'C-', 'ä'];
  const idOf = (i: number) => `${PREFIXES[i % PREFIXES.length]}${String(i).padStart(4, '0')}`;

  it('reads every profile exactly once, each part a range in the database’s order', async () => {
    const headers = { 'x-gw-ims-org-id': 'ORG_COLLATION@AdobeOrg' };
    const ids = Array.from({ length: PROFILES }, (_, i) => idOf(i));
    await ingest(api, ids.map((profileId) => ({ profileId })), headers);
    const [order] = await api.database.db.execute<{ differs: boolean }>(
      sql`select array_agg(profile_id order by profile_id) <> array_agg(profile_id order by profile_id collate "C") as differs from profiles`,
    );
    expect(order!.differs).toBe(true);
    const runners = [0, 1].map(() =>
      startTestRunner(api, { concurrency: 2, chunkSize: 7, shardMinProfiles: 60 }),
    );
    let jobId: string;
    try {
      jobId = (await startExport(api, { fields: 'profileId' }, headers)).jobId;
      expect((await waitForJob(api, jobId, undefined, headers)).status).toBe('SUCCEEDED');
    } finally {
      await Promise.all(runners.map((runner) => runner.stop()));
    }
    const parts = [...await api.database.db.execute<{ after_profile_id: string | null; up_to_profile_id: string | null; processed_profiles: number }>(
      sql`select after_profile_id, up_to_profile_id, processed_profiles from export_job_parts where job_id = ${Number(jobId)} order by part`,
    )];
    expect(parts.length).toBeGreaterThanOrEqual(2);
    expect(parts.reduce((sum, part) => sum + Number(part.processed_profiles), 0)).toBe(PROFILES);
    // Each range starts where the last ended, in increasing order under the database's collation.
    for (let i = 1; i < parts.length; i++) {
      expect(parts[i]!.after_profile_id).toBe(parts[i - 1]!.up_to_profile_id);
      if (i > 1) {
        const [ordered] = await api.database.db.execute<{ increasing: boolean }>(
          sql`select ${parts[i - 1]!.after_profile_id}::text < ${parts[i]!.after_profile_id}::text as increasing`,
        );
        expect(ordered!.increasing).toBe(true);
      }
    }
    const [job] = await api.database.db.execute<{ batch_id: string }>(sql`select batch_id from export_jobs where id = ${Number(jobId)}`);
    const exported = (await recordsOf(api, job!.batch_id)).map((record) => record.profileId as string);
    expect(exported).toHaveLength(PROFILES);
    expect([...exported].sort()).toEqual([...ids].sort());
  });
});
