/**
 * An export whose statement dies with its connection (a PostgreSQL restart, a failover,
 * a backend ended by an administrator) is handed back and resumed from its checkpoint,
 * not failed. Reproduced for real: another transaction keeps the chunk's insert waiting,
 * and `pg_terminate_backend` ends the backend that waits (SQLSTATE 57P01).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { ingest, startExport, waitForJob, type ProfileSpec } from '../helpers/exportFlow';
import { startTestRunner } from '../helpers/testRunner';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { waitUntil } from '../helpers/waitUntil';
import type { RunnerOptions } from '../../src/runner/runnerOptions';

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

  /**
   * Exports segment A of a fresh tenant with one runner of `options`, while the first
   * chunk to write is held behind a lock and its backend terminated; returns the job's id
   * once it has ended, and its status.
   */
  async function exportThroughTermination(options: Partial<RunnerOptions>): Promise<{ jobId: number; status: string; headers: Record<string, string> }> {
    const headers = { 'x-gw-ims-org-id': `ORG_TRANSIENT_${++tenants}@AdobeOrg` };
    await ingest(api, Array.from({ length: PROFILES }, (_, i) => profileOf(i)), headers);

    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let taken!: () => void;
    const lockTaken = new Promise<void>((resolve) => (taken = resolve));
    // SHARE: reads go on, every insert into batch_records waits.
    const holding = api.database.db.transaction(async (tx) => {
      await tx.execute(sql`lock table batch_records in share mode`);
      taken();
      await released;
    });
    await lockTaken;
    const runner = startTestRunner(api, { concurrency: 1, chunkSize: 20, ...options });
    try {
      const { jobId } = await startExport(api, { fields: 'person.name.firstName', filter: { segments: [{ segmentId: 'A' }] } }, headers);
      let waiting: number | undefined;
      await waitUntil(async () => {
        const [row] = await api.database.db.execute<{ pid: number }>(
          sql`select pid from pg_locks where relation = 'batch_records'::regclass and not granted limit 1`,
        );
        waiting = row?.pid;
        return waiting !== undefined;
      }, 15_000);
      const [ended] = await api.database.db.execute<{ ended: boolean }>(sql`select pg_terminate_backend(${waiting}) as ended`);
      expect(ended!.ended).toBe(true);
      release();
      await holding;
      const job = await waitForJob(api, jobId, undefined, headers, 30_000);
      return { jobId: Number(jobId), status: job.status as string, headers };
    } finally {
      release();
      await holding.catch(() => {});
      await runner.stop();
    }
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
});
