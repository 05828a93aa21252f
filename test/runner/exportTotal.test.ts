/**
 * `progress.totalProfiles` of a segment-filtered export, on both databases: the exact
 * number of profiles it exports, known before its first chunk, unsharded and sharded.
 * Every version of the job row is recorded by a trigger of the test's own, so the order
 * of the total and the chunks is seen whatever the events' throttle publishes.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { ingest, startExport, waitForJob, type ProfileSpec } from '../helpers/exportFlow';
import { startTestRunner } from '../helpers/testRunner';
import { startTestServer, type TestServer } from '../helpers/testServer';
import type { RunnerOptions } from '../../src/runner/runnerOptions';

const PROFILES = 1_200;

/**
 * Profile i: a member of `seg` (REALIZED or EXISTING) but every fourth EXITED, which the
 * default statuses leave out; every tenth an empty profile (no profile record), left out
 * too; every seventh a member in a second namespace as well (exported once); every
 * thirteenth in no segment.
 */
function profileOf(i: number): ProfileSpec {
  const profileId = `p${String(i).padStart(5, '0')}`;
  const status = i % 4 === 3 ? 'EXITED' : i % 2 === 0 ? 'REALIZED' : 'EXISTING';
  const segments =
    i % 13 === 0
      ? []
      : [{ segmentId: 'seg', status }, ...(i % 7 === 0 ? [{ segmentId: 'seg', segmentNs: 'other', status }] : [])];
  return { profileId, segments, hasProfileRecord: i % 10 !== 0, attributes: { n: i } };
}

const profiles = Array.from({ length: PROFILES }, (_, i) => profileOf(i));
/** The profiles the export writes, worked out here from the filter's semantics. */
const expectedTotal = profiles.filter(
  (profile) => profile.hasProfileRecord && profile.segments!.some((segment) => segment.status !== 'EXITED'),
).length;

interface JobVersion {
  processed: number;
  total: number | null;
}

describe.each(storageTargets)('the total of an export on $name', (target) => {
  let api: TestServer;
  let tenants = 0;
  const freshTenant = () => ({ 'x-gw-ims-org-id': `ORG_TOTAL_${++tenants}@AdobeOrg` });

  beforeAll(async () => {
    api = await startTestServer(target);
    await api.database.db.execute(sql`create table job_versions (
      seq bigserial primary key, job_id bigint not null, processed integer not null, total integer)`);
    await api.database.db.execute(sql`create function record_job_version() returns trigger language plpgsql as $$
      begin
        insert into job_versions (job_id, processed, total) values (new.id, new.processed_profiles, new.total_profiles);
        return new;
      end $$`);
    await api.database.db.execute(sql`create trigger record_job_version after update on export_jobs
      for each row execute function record_job_version()`);
  });
  afterAll(() => api?.close());

  /** Exports segment `seg` of a fresh tenant's profiles with a runner of `options`; answers the job's id once it ended. */
  async function exportSegment(options: Partial<RunnerOptions>): Promise<string> {
    const headers = freshTenant();
    await ingest(api, profiles, headers);
    const { jobId } = await startExport(api, { filter: { segments: [{ segmentId: 'seg' }] } }, headers);
    // Chunks of 5 profiles: the export has a hundred and more of them. A chunk time of 1 s lets
    // the first chunk wait up to 2 s for the count, which these members never need (a few
    // short statements), however busy the machine.
    const runner = startTestRunner(api, { concurrency: 1, chunkSize: 5, chunkTargetMs: 1_000, leaseMs: 30_000, ...options });
    try {
      const job = await waitForJob(api, jobId, undefined, headers, 60_000);
      expect(job.status).toBe('SUCCEEDED');
      expect(job.progress).toEqual({ processedProfiles: expectedTotal, totalProfiles: expectedTotal, percent: 100 });
    } finally {
      await runner.stop();
    }
    return jobId;
  }

  /** Every version of the job row, in order. */
  async function versionsOf(jobId: string): Promise<JobVersion[]> {
    const rows = await api.database.db.execute<{ processed: number; total: number | null }>(
      sql`select processed, total from job_versions where job_id = ${Number(jobId)} order by seq`,
    );
    return rows.map((row) => ({ processed: Number(row.processed), total: row.total === null ? null : Number(row.total) }));
  }

  /** The exact total was on the row before it counted any profile read, and stayed. */
  function expectTotalBeforeTheFirstChunk(versions: JobVersion[]): void {
    const firstRead = versions.findIndex((version) => version.processed > 0);
    expect(firstRead, 'no version with profiles read').toBeGreaterThan(0);
    const fromTheLastBefore = versions.slice(firstRead - 1);
    expect(fromTheLastBefore.map((version) => version.total)).toEqual(fromTheLastBefore.map(() => expectedTotal));
    // Seen mid-export, not only at its end.
    expect(versions.some((version) => version.processed > 0 && version.processed < expectedTotal)).toBe(true);
  }

  it('knows the exact total of a segment before its first chunk', async () => {
    const jobId = await exportSegment({});
    expectTotalBeforeTheFirstChunk(await versionsOf(jobId));
  });

  it('knows the exact total of a sharded export before its parts are summed into it', async () => {
    const jobId = await exportSegment({ shardMinProfiles: 200 });
    const [parts] = await api.database.db.execute<{ n: number | string }>(
      sql`select count(*) as n from export_job_parts where job_id = ${Number(jobId)}`,
    );
    expect(Number(parts!.n)).toBeGreaterThan(1);
    expectTotalBeforeTheFirstChunk(await versionsOf(jobId));
  });
});
