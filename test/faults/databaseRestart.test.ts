/**
 * What a PostgreSQL restart or failover does to a running server, short of stopping the
 * shared cluster: every backend of the server's database is terminated at once, in the
 * middle of an export watched live. The server must stay up, the export end SUCCEEDED with
 * every record once, the watcher be told of the gap in what it heard live (LISTEN comes
 * back) and hear every event on its resume, and the next request be answered.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WatchedJobEvent } from '../../src/events/watchedJobEvent';
import { storageTargets } from '../helpers/databases';
import { ingest, startExport, waitForJob, type ProfileSpec } from '../helpers/exportFlow';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { waitUntil } from '../helpers/waitUntil';

const postgres = storageTargets.find((target) => target.name === 'postgres')!;
const PROFILES = 3_000;
const orgId = 'ORG_RESTART@AdobeOrg';
const headers = { 'x-gw-ims-org-id': orgId, 'x-sandbox-name': 'prod' };

describe('every backend of the database terminated during an export, on PostgreSQL', () => {
  let api: TestServer;
  beforeAll(async () => {
    api = await startTestServer(postgres, { concurrency: 1, chunkSize: 20 });
  });
  afterAll(() => api?.close());

  it('leaves the server up, the export whole, the watcher informed', { timeout: 60_000 }, async () => {
    const profiles: ProfileSpec[] = Array.from({ length: PROFILES }, (_, i) => ({
      profileId: `p${String(i).padStart(5, '0')}`,
      segments: [{ segmentId: 'A', status: 'REALIZED' }],
    }));
    await ingest(api, profiles, headers);
    const { jobId } = await startExport(api, { filter: { segments: [{ segmentId: 'A' }] } }, headers);
    const watch = await api.server.hub.watch({ tenant: { orgId, sandboxName: 'prod' }, jobId });
    const seen: WatchedJobEvent[] = [];
    const consumer = { deliver: (event: WatchedJobEvent) => seen.push(event), congested: () => false };
    const watching = watch.deliverLive(consumer).then(
      () => 'completed',
      (error: unknown) => error,
    );

    // Mid-export: some chunks written, most not.
    await waitUntil(async () => {
      const [row] = await api.database.db.execute<{ processed: number }>(
        sql`select processed_profiles::int as processed from export_jobs where id = ${Number(jobId)}`,
      );
      return row!.processed > 0;
    }, 20_000);
    const [ended] = await api.database.db.execute<{ n: number }>(sql`
      select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid()`);
    expect(ended!.n).toBeGreaterThan(1);
    // The pool's idle connections learn of their end as their sockets close: a statement sent
    // before that fails too, as it would in a real restart (the API answers it SERVICE_UNAVAILABLE).
    await new Promise((resolve) => setTimeout(resolve, 500));
    const [{ processed } = { processed: 0 }] = await api.database.db.execute<{ processed: number }>(
      sql`select processed_profiles::int as processed from export_jobs where id = ${Number(jobId)}`,
    );
    expect(processed).toBeLessThan(PROFILES);

    const job = await waitForJob(api, jobId, undefined, headers, 40_000);
    expect(job.status).toBe('SUCCEEDED');
    const [written] = await api.database.db.execute<{ n: number; distinct_n: number }>(sql`
      select count(*)::int as n, count(distinct r.profile_id)::int as distinct_n
      from batch_records r join batches b on b.id = r.batch_id where b.job_id = ${Number(jobId)}`);
    expect(written).toEqual({ n: PROFILES, distinct_n: PROFILES });
    // The bus's LISTEN came back after a gap in which events may have gone unheard: the watch
    // was told so, and its resume from the last sequence it had replays the rest, to the end.
    expect(await watching).toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
    const resumed = await api.server.hub.watch({
      tenant: { orgId, sandboxName: 'prod' },
      jobId,
      afterSequence: seen.at(-1)?.sequence ?? 0,
    });
    await resumed.deliverLive(consumer);
    expect(seen.at(-1)).toMatchObject({ status: 'SUCCEEDED' });
    const sequences = seen.map((event) => event.sequence);
    expect(sequences).toEqual([...new Set(sequences)].sort((a, b) => a - b));
    const again = await api.graphql(`query { exportJob(id: "${jobId}") { status } }`, {}, headers);
    expect(again.data).toEqual({ exportJob: { status: 'SUCCEEDED' } });
  });
});
