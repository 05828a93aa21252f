/**
 * Runners in processes of their own on one PostgreSQL database: a SIGKILLed
 * server's job runs again elsewhere without duplicate records, several
 * runners never run one job twice, SIGTERM hands a job back, and the parts of a
 * sharded export are shared between processes, exactly once when one dies.
 */
import { describe, expect, it } from 'vitest';
import { startService, stopService } from '../helpers/processes';
import { useRunnerCluster, waitFor } from '../helpers/runnerCluster';

const RUNNER_ENV = { RUNNER_LEASE_MS: '1500', RUNNER_POLL_MS: '50', RUNNER_CHUNK_SIZE: '10' };

describe('runner processes on PostgreSQL', () => {
  const cluster = useRunnerCluster();
  const { services } = cluster;

  /** `count` profiles of `org` in segment `seg`, written straight into the store. */
  async function seed(org: string, count: number): Promise<void> {
    await cluster.sql`insert into profiles (org_id, sandbox_name, profile_id, identities, updated_at)
      select ${org}, 'prod', 'p' || lpad(i::text, 6, '0'), jsonb_build_array(jsonb_build_object('namespace', 'email', 'id', i || '@x')), now()
      from generate_series(1, ${count}) i`;
    await cluster.sql`insert into segment_memberships (org_id, sandbox_name, profile_id, segment_id, segment_ns, status, qualification_time)
      select ${org}, 'prod', 'p' || lpad(i::text, 6, '0'), 'seg', 'ups', 'REALIZED', now()
      from generate_series(1, ${count}) i`;
  }

  const createJob = (org: string) =>
    cluster.createJob(org, { fields: 'identities.id', filter: { segments: [{ segmentId: 'seg' }] } });

  async function job(id: number) {
    const [row] = await cluster.sql`select status, attempts, processed_profiles, exported_profiles, batch_id, locked_by
      from export_jobs where id = ${id}`;
    return row!;
  }

  /** Every profile of the job's batch exactly once, and the counters agree with the records. */
  async function expectExactlyOnce(jobId: number, profiles: number): Promise<void> {
    const row = await job(jobId);
    expect(row.status).toBe('SUCCEEDED');
    const [records] = await cluster.sql`select count(*)::int as n, count(distinct profile_id)::int as distinct_n
      from batch_records where batch_id = ${row.batch_id}`;
    expect(records).toEqual({ n: profiles, distinct_n: profiles });
    expect(row.exported_profiles).toBe(profiles);
    const [batch] = await cluster.sql`select record_count from batches where id = ${row.batch_id}`;
    expect(batch!.record_count).toBe(profiles);
  }

  it('runs a job again after its server is SIGKILLed mid-export, writing every record exactly once', async () => {
    const org = 'ORG_CRASH@AdobeOrg';
    await seed(org, 3000);
    const first = await startService('serve', { DATABASE_URL: cluster.url, ...RUNNER_ENV });
    services.push(first);
    const jobId = await createJob(org);
    await waitFor(async () => ((await job(jobId)).processed_profiles > 0 ? true : undefined));
    await stopService(first, 'SIGKILL');
    const interrupted = await job(jobId);
    expect(interrupted.status).toBe('PROCESSING');
    expect(interrupted.processed_profiles).toBeLessThan(3000);

    services.push(await startService('worker', { DATABASE_URL: cluster.url, ...RUNNER_ENV }));
    await waitFor(async () => ((await job(jobId)).status === 'SUCCEEDED' ? true : undefined));
    await expectExactlyOnce(jobId, 3000);
    expect((await job(jobId)).attempts).toBe(2);
  });

  it('wakes an idle worker as soon as a job is created elsewhere, long before its next poll', async () => {
    const org = 'ORG_WAKE@AdobeOrg';
    await seed(org, 50);
    // A minute between polls: only the creation event can start this job within the wait below.
    services.push(await startService('worker', { DATABASE_URL: cluster.url, ...RUNNER_ENV, RUNNER_POLL_MS: '60000' }));
    const jobId = await createJob(org);
    await waitFor(async () => ((await job(jobId)).status === 'SUCCEEDED' ? true : undefined), 15_000);
    await expectExactlyOnce(jobId, 50);
  });

  it('shares jobs between two runners without ever running one twice', async () => {
    const orgs = ['ORG_TWO_A@AdobeOrg', 'ORG_TWO_B@AdobeOrg', 'ORG_TWO_C@AdobeOrg'];
    for (const org of orgs) await seed(org, 400);
    const workers = [
      await startService('worker', { DATABASE_URL: cluster.url, ...RUNNER_ENV, RUNNER_CONCURRENCY: '2' }),
      await startService('worker', { DATABASE_URL: cluster.url, ...RUNNER_ENV, RUNNER_CONCURRENCY: '2' }),
    ];
    services.push(...workers);
    const jobIds: number[] = [];
    for (const org of orgs) for (let i = 0; i < 2; i++) jobIds.push(await createJob(org));
    for (const jobId of jobIds) {
      await waitFor(async () => ((await job(jobId)).status === 'SUCCEEDED' ? true : undefined));
      await expectExactlyOnce(jobId, 400);
      expect((await job(jobId)).attempts).toBe(1);
    }
    const claims = workers.map((worker) => worker.output().match(/Export job claimed/g)?.length ?? 0);
    expect(claims.reduce((a, b) => a + b)).toBe(jobIds.length);
    expect(claims.every((n) => n > 0)).toBe(true);
  });

  it('holds the per-tenant limit across runner processes', async () => {
    const org = 'ORG_LIMIT@AdobeOrg';
    await seed(org, 2000);
    const workerEnv = { DATABASE_URL: cluster.url, ...RUNNER_ENV, RUNNER_CONCURRENCY: '2', RUNNER_TENANT_LIMIT: '2' };
    services.push(await startService('worker', workerEnv), await startService('worker', workerEnv));
    const jobIds: number[] = [];
    for (let i = 0; i < 4; i++) jobIds.push(await createJob(org));
    // Four free slots over two processes, four jobs of one tenant: never more than two at once.
    let mostAtOnce = 0;
    for (;;) {
      const [row] = await cluster.sql`select count(*) filter (where status = 'PROCESSING')::int as running,
          count(*) filter (where status = 'SUCCEEDED')::int as done
        from export_jobs where org_id = ${org}`;
      mostAtOnce = Math.max(mostAtOnce, row!.running);
      if (row!.done === jobIds.length) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(mostAtOnce).toBe(2);
    for (const jobId of jobIds) await expectExactlyOnce(jobId, 2000);
  });

  /** The job's records are exactly profiles p000001 … p<count>, each once. */
  async function expectEveryProfile(jobId: number, count: number): Promise<void> {
    const { batch_id: batchId } = await job(jobId);
    const [written] = await cluster.sql`select array_agg(profile_id order by profile_id) as ids from batch_records where batch_id = ${batchId}`;
    expect(written!.ids).toEqual(Array.from({ length: count }, (_, i) => `p${String(i + 1).padStart(6, '0')}`));
  }

  const partsOf = (jobId: number) =>
    cluster.sql`select part, status, attempts, processed_profiles, locked_by from export_job_parts where job_id = ${jobId} order by part`;

  it('shares the parts of a sharded export between two workers, and loses or repeats nothing when one is SIGKILLed', async () => {
    const org = 'ORG_SHARDED_CRASH@AdobeOrg';
    await seed(org, 4000);
    const workerEnv = { DATABASE_URL: cluster.url, ...RUNNER_ENV, RUNNER_SHARD_MIN_PROFILES: '500', RUNNER_CONCURRENCY: '1' };
    const killed = await startService('worker', workerEnv);
    const survivor = await startService('worker', workerEnv);
    services.push(killed, survivor);
    const jobId = await createJob(org);
    // Both workers hold a part they have read from.
    await waitFor(async () => {
      const running = (await partsOf(jobId)).filter((part) => part.status === 'RUNNING' && part.processed_profiles > 0);
      return new Set(running.map((part) => part.locked_by)).size === 2 ? true : undefined;
    });
    const killedParts = (await partsOf(jobId)).filter((part) => part.status === 'RUNNING' && part.locked_by?.includes(`:${killed.child.pid}:`));
    expect(killedParts.length).toBe(1);
    await stopService(killed, 'SIGKILL');

    await waitFor(async () => ((await job(jobId)).status === 'SUCCEEDED' ? true : undefined), 60_000);
    await expectExactlyOnce(jobId, 4000);
    await expectEveryProfile(jobId, 4000);
    const parts = await partsOf(jobId);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    expect(parts.every((part) => part.status === 'DONE')).toBe(true);
    expect(parts.reduce((sum, part) => sum + part.processed_profiles, 0)).toBe(4000);
    // The killed worker's part ran again, from its own checkpoint, in the survivor.
    expect(parts.find((part) => part.part === killedParts[0]!.part)!.attempts).toBe(2);
    expect(survivor.output()).toMatch(/Export part claimed|Export job claimed/);
  });

  it('holds the per-tenant limit over the parts of a sharded export, across processes', async () => {
    const org = 'ORG_SHARDED_LIMIT@AdobeOrg';
    await seed(org, 3000);
    const workerEnv = { DATABASE_URL: cluster.url, ...RUNNER_ENV, RUNNER_SHARD_MIN_PROFILES: '300', RUNNER_CONCURRENCY: '2', RUNNER_TENANT_LIMIT: '2' };
    services.push(await startService('worker', workerEnv), await startService('worker', workerEnv));
    const jobId = await createJob(org);
    // Four slots over two processes, ten parts: never more than two running at once.
    let mostAtOnce = 0;
    while ((await job(jobId)).status !== 'SUCCEEDED') {
      const [row] = await cluster.sql`select count(*)::int as running from export_job_parts
        where job_id = ${jobId} and status = 'RUNNING' and locked_until >= now()`;
      mostAtOnce = Math.max(mostAtOnce, row!.running);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect((await partsOf(jobId)).length).toBeGreaterThanOrEqual(5);
    expect(mostAtOnce).toBe(2);
    await expectExactlyOnce(jobId, 3000);
    await expectEveryProfile(jobId, 3000);
  });

  it('hands a job back on SIGTERM so that another runner finishes it, the run not counted as an attempt', async () => {
    const org = 'ORG_HANDBACK@AdobeOrg';
    await seed(org, 3000);
    const stopping = await startService('worker', { DATABASE_URL: cluster.url, ...RUNNER_ENV });
    services.push(stopping);
    const jobId = await createJob(org);
    await waitFor(async () => ((await job(jobId)).processed_profiles > 0 ? true : undefined));
    expect(await stopService(stopping, 'SIGTERM')).toBe(0);
    const handedBack = await job(jobId);
    expect(handedBack).toMatchObject({ status: 'PROCESSING', locked_by: null, attempts: 0 });

    services.push(await startService('worker', { DATABASE_URL: cluster.url, ...RUNNER_ENV }));
    await waitFor(async () => ((await job(jobId)).status === 'SUCCEEDED' ? true : undefined));
    await expectExactlyOnce(jobId, 3000);
    expect((await job(jobId)).attempts).toBe(1);
  });
});
