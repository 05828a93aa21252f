/**
 * The dataset write as a watcher and a canceller see it: it announces its
 * progress (PROGRESS events between 90 and 100 %, as `written_records` grows),
 * and a cancel that arrives while files are being written removes what was
 * written, with the records. Through the real server, on both databases. One
 * record a file, so that the phase lasts long enough to be seen.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { asc, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchFiles, batchRecords, exportJobEvents, exportJobs } from '../../src/db/schema';
import { CANCEL_EXPORT_JOB } from '../fixtures/operations';
import { storageTargets } from '../helpers/databases';
import { ingest, startExport, waitForJob, type ProfileSpec } from '../helpers/exportFlow';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { testFilesDir } from '../helpers/testFiles';

let tenants = 0;
const freshTenant = () => ({ 'x-gw-ims-org-id': `ORG_WRITE_PHASE_${++tenants}@AdobeOrg` });

const PROFILES: ProfileSpec[] = Array.from({ length: 1_200 }, (_, i) => ({
  profileId: `p${String(i).padStart(5, '0')}`,
  identities: [{ namespace: 'email', id: `p${i}@example.com` }],
  attributes: { score: i },
}));

/** One file a record: about a thousand files, each written, flushed and renamed. */
const ONE_RECORD_A_FILE = { output: { format: 'JSONL', compression: 'NONE', maxRecordsPerFile: 1 } };

describe.each(storageTargets)('the dataset write on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target, { concurrency: 1, chunkSize: 500 });
  });
  afterAll(() => api?.close());

  const jobRow = async (jobId: string) =>
    (await api.database.db.select().from(exportJobs).where(eq(exportJobs.id, Number(jobId))))[0]!;

  /** Files with a final name in the job's directory (none when it is gone). */
  async function filesOnDisk(jobId: string): Promise<string[]> {
    const names: string[] = [];
    const jobDir = join(testFilesDir(), jobId);
    for (const batchDir of await readdir(jobDir).catch(() => [])) {
      names.push(...(await readdir(join(jobDir, batchDir)).catch(() => [])).filter((name) => name.startsWith('part-')));
    }
    return names;
  }

  it('announces its progress between 90 and 100 % as records reach files, then SUCCEEDED at 100', async () => {
    const headers = freshTenant();
    await ingest(api, PROFILES, headers);
    const { jobId } = await startExport(api, ONE_RECORD_A_FILE, headers);
    const job = await waitForJob(api, jobId, undefined, headers, 60_000);
    expect(job.status).toBe('SUCCEEDED');

    const events = await api.database.db
      .select({ type: exportJobEvents.type, percent: exportJobEvents.percent, status: exportJobEvents.status })
      .from(exportJobEvents)
      .where(eq(exportJobEvents.jobId, Number(jobId)))
      .orderBy(asc(exportJobEvents.sequence));
    const duringWrite = events.filter((event) => event.type === 'PROGRESS' && event.percent > 90 && event.percent < 100);
    expect(duringWrite.length).toBeGreaterThan(0);
    const percents = events.map((event) => event.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(events.at(-1)).toMatchObject({ status: 'SUCCEEDED', percent: 100 });
    expect((await jobRow(jobId)).writtenRecords).toBe(PROFILES.length);
  });

  it('removes the files already written, and the records, when cancelled during the write', async () => {
    const headers = freshTenant();
    await ingest(api, PROFILES, headers);
    const { jobId } = await startExport(api, ONE_RECORD_A_FILE, headers);

    // Cancel once the phase has written some files, well before it can have written them all.
    const deadline = Date.now() + 60_000;
    let seen: string[] = [];
    while ((seen = await filesOnDisk(jobId)).length < 20) {
      if (Date.now() > deadline) throw new Error('The write phase never started');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const cancelled = await api.graphql(CANCEL_EXPORT_JOB, { id: jobId }, headers);
    expect(cancelled.errors).toBeUndefined();

    const job = await waitForJob(api, jobId, undefined, headers, 30_000);
    expect(job.status).toBe('CANCELLED');
    expect(seen.length).toBeLessThan(PROFILES.length);
    // The job is CANCELLED first; its files, then its records, are removed right after.
    const batchId = job.destination.batchId as string;
    const left = async () => {
      const [records] = await api.database.db.select({ n: count() }).from(batchRecords).where(eq(batchRecords.batchId, batchId));
      const [fileRows] = await api.database.db.select({ n: count() }).from(batchFiles).where(eq(batchFiles.jobId, Number(jobId)));
      return { files: (await filesOnDisk(jobId)).length, fileRows: fileRows!.n, records: records!.n };
    };
    const until = Date.now() + 15_000;
    let now = await left();
    while ((now.files > 0 || now.records > 0) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      now = await left();
    }
    expect(now).toEqual({ files: 0, fileRows: 0, records: 0 });
  });
});
