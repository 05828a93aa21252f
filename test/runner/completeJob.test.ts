/**
 * The statement that ends a job records every file of its batches. A statement holds at
 * most 65,535 parameters and a file row takes 13, so a job of more than about 5,000 files
 * (`maxRecordsPerFile: 1` over 5,042 profiles) failed at its very end, its files removed.
 */
import { randomUUID } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchFiles, exportJobs } from '../../src/db/schema';
import { completeJob, type NewBatchFile } from '../../src/runner/sql/completeJob';
import { startDatasetWrite } from '../../src/runner/sql/startDatasetWrite';
import { storageTargets } from '../helpers/databases';
import { createJob, startServerWithDataset } from '../helpers/seedApi';
import { insertBatch } from '../helpers/seedBatches';
import { TENANT, type TestServer } from '../helpers/testServer';

const RUNNER = 'runner-complete-test';
const FILES = 6_000;

describe.each(storageTargets)('completing a job on $name', (target) => {
  let api: TestServer;
  let datasetId: string;

  beforeAll(async () => ({ api, datasetId } = await startServerWithDataset(target)));
  afterAll(() => api?.close());

  it(`records ${FILES.toLocaleString('en')} files of one batch with the job's end, in one transaction`, async () => {
    const jobId = Number((await createJob(api, datasetId)).id);
    await api.database.db
      .update(exportJobs)
      .set({ status: 'PROCESSING', lockedBy: RUNNER, lockedUntil: new Date(Date.now() + 60_000) })
      .where(eq(exportJobs.id, jobId));
    const batch = await insertBatch(api, { datasetId, jobId, status: 'LOADING' });
    const files: NewBatchFile[] = Array.from({ length: FILES }, (_, i) => ({
      id: randomUUID(),
      batchId: batch.id,
      jobId,
      orgId: TENANT['x-gw-ims-org-id']!,
      sandboxName: 'prod',
      fileIndex: i,
      name: `part-${String(i).padStart(5, '0')}.jsonl`,
      format: 'JSONL',
      compression: 'NONE',
      records: 1,
      bytes: 100,
      sha256: '0'.repeat(64),
      storageKey: `${jobId}/${batch.id}/part-${i}.jsonl`,
    }));

    const done = await completeJob(api.database.db, jobId, RUNNER, files, 7);

    expect(done).toMatchObject({ status: 'SUCCEEDED', writtenRecords: FILES });
    const [recorded] = await api.database.db.select({ n: count() }).from(batchFiles).where(eq(batchFiles.jobId, jobId));
    expect(recorded!.n).toBe(FILES);
  });

  it.each([
    ['a count that saw fewer (profiles ingested behind it)', 200],
    ['a count stopped before its end', null],
  ])('takes the profiles read as the total once they are all read, over %s, and never lowers them', async (_case, counted) => {
    const jobId = Number((await createJob(api, datasetId)).id);
    await api.database.db
      .update(exportJobs)
      .set({ status: 'PROCESSING', lockedBy: RUNNER, lockedUntil: new Date(Date.now() + 60_000), processedProfiles: 210, exportedProfiles: 210, totalProfiles: counted })
      .where(eq(exportJobs.id, jobId));
    const progressOf = async () =>
      (await api.database.db.select({ processed: exportJobs.processedProfiles, total: exportJobs.totalProfiles, percent: exportJobs.progressPercent }).from(exportJobs).where(eq(exportJobs.id, jobId)))[0];

    expect(await startDatasetWrite(api.database.db, jobId, RUNNER, new Date())).toBe('PROCESSING');
    expect(await progressOf()).toEqual({ processed: 210, total: 210, percent: 90 });
    await completeJob(api.database.db, jobId, RUNNER, [], 7);
    expect(await progressOf()).toEqual({ processed: 210, total: 210, percent: 100 });
  });
});
