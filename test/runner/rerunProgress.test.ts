/**
 * A job's progress over a rerun (after a crash or a hand-back) and at a cancel:
 * a rerun evaluates its segments and writes its files again from zero, yet
 * `progress.percent` holds at what the last run reached until it is passed; and
 * a job that ends without a result keeps the end its profile export already had,
 * and ends CANCELLED when a client was cancelling it.
 * The runner's own statements, on a job held as a run holds it, on both databases.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJobs, type ExportJobRow } from '../../src/db/schema';
import { endJobWithoutResult } from '../../src/runner/sql/endJobWithoutResult';
import { recordWrittenRecords } from '../../src/runner/sql/recordWrittenRecords';
import { recordSegmentedProfiles, startSegmentation } from '../../src/runner/sql/segmentationProgress';
import { startDatasetWrite } from '../../src/runner/sql/startDatasetWrite';
import { storageTargets } from '../helpers/databases';
import { createJob, startServerWithDataset } from '../helpers/seedApi';
import type { TestServer } from '../helpers/testServer';

const RUNNER = 'runner-rerun-progress-test';
const LEASE_MS = 60_000;

describe.each(storageTargets)('progress over a rerun on $name', (target) => {
  let api: TestServer;
  let datasetId: string;

  beforeAll(async () => ({ api, datasetId } = await startServerWithDataset(target)));
  afterAll(() => api?.close());

  /** A job PROCESSING under our lease, with `values` set. */
  async function heldJob(values: Partial<ExportJobRow>): Promise<number> {
    const jobId = Number((await createJob(api, datasetId)).id);
    await api.database.db
      .update(exportJobs)
      .set({ status: 'PROCESSING', lockedBy: RUNNER, lockedUntil: new Date(Date.now() + LEASE_MS), ...values })
      .where(eq(exportJobs.id, jobId));
    return jobId;
  }
  const row = async (jobId: number) => (await api.database.db.select().from(exportJobs).where(eq(exportJobs.id, jobId)))[0]!;

  it('holds the write phase at what the last run wrote until the rerun passes it', async () => {
    const profilesRead = new Date(Date.now() - 5_000);
    const jobId = await heldJob({ profileExportStartedAt: new Date(Date.now() - 10_000), totalProfiles: 100, processedProfiles: 100, exportedProfiles: 100 });
    expect(await startDatasetWrite(api.database.db, jobId, RUNNER, profilesRead)).toBe('PROCESSING');
    await recordWrittenRecords(api.database.db, jobId, RUNNER, 60);
    expect((await row(jobId)).progressPercent).toBe(96);

    // The rerun starts the phase again and its first looks count fewer records.
    expect(await startDatasetWrite(api.database.db, jobId, RUNNER, new Date())).toBe('PROCESSING');
    expect((await row(jobId)).progressPercent).toBe(96);
    await recordWrittenRecords(api.database.db, jobId, RUNNER, 10);
    expect((await row(jobId)).progressPercent).toBe(96);
    await recordWrittenRecords(api.database.db, jobId, RUNNER, 80);
    expect(await row(jobId)).toMatchObject({ progressPercent: 98, writtenRecords: 80, profileExportFinishedAt: profilesRead });
  });

  it('holds the evaluation of segments at what the last run evaluated until the rerun passes it', async () => {
    const jobId = await heldJob({ evaluateSegments: true, segmentationTotal: 100 });
    expect(await startSegmentation(api.database.db, jobId, RUNNER)).toBeInstanceOf(Date);
    await recordSegmentedProfiles(api.database.db, jobId, RUNNER, 60, LEASE_MS);
    expect((await row(jobId)).progressPercent).toBe(30);

    expect(await startSegmentation(api.database.db, jobId, RUNNER)).toBeInstanceOf(Date);
    expect((await row(jobId)).progressPercent).toBe(30);
    await recordSegmentedProfiles(api.database.db, jobId, RUNNER, 10, LEASE_MS);
    expect((await row(jobId)).progressPercent).toBe(30);
    await recordSegmentedProfiles(api.database.db, jobId, RUNNER, 80, LEASE_MS);
    expect((await row(jobId)).progressPercent).toBe(40);
  });

  it('keeps the end of the profile export when cancelled during the write, and ends the phases still running', async () => {
    const profilesRead = new Date(Date.now() - 5_000);
    const jobId = await heldJob({
      evaluateSegments: true,
      segmentationStartedAt: new Date(Date.now() - 20_000),
      segmentationFinishedAt: new Date(Date.now() - 15_000),
      profileExportStartedAt: new Date(Date.now() - 10_000),
      exportedProfiles: 100,
    });
    await startDatasetWrite(api.database.db, jobId, RUNNER, profilesRead);
    const segmentationEnd = (await row(jobId)).segmentationFinishedAt;

    const ended = await endJobWithoutResult(api.database.db, jobId, RUNNER, { status: 'CANCELLED' });
    expect(ended?.job.status).toBe('CANCELLED');
    const job = await row(jobId);
    expect(job.profileExportFinishedAt).toEqual(profilesRead);
    expect(job.segmentationFinishedAt).toEqual(segmentationEnd);
    expect(job.datasetWriteFinishedAt!.getTime()).toBeGreaterThanOrEqual(job.datasetWriteStartedAt!.getTime());
  });

  it('keeps the progress of an evaluation of segments that a cancel stops', async () => {
    const jobId = await heldJob({ evaluateSegments: true, segmentationTotal: 100 });
    await startSegmentation(api.database.db, jobId, RUNNER);
    await recordSegmentedProfiles(api.database.db, jobId, RUNNER, 20, LEASE_MS);
    await endJobWithoutResult(api.database.db, jobId, RUNNER, { status: 'CANCELLED' });
    const job = await row(jobId);
    // Its own end unset: set, progress.percent would read the export's 50 (the API shows the job's end).
    expect(job).toMatchObject({ status: 'CANCELLED', progressPercent: 10, segmentationFinishedAt: null, profileExportFinishedAt: null });
  });

  it('ends CANCELLED, not FAILED, a job a client is cancelling when an error stops it', async () => {
    const jobId = await heldJob({ status: 'CANCELLING', profileExportStartedAt: new Date() });
    const failure = { code: 'EXPORT_FAILED', msg: 'The export failed; its partial data was removed', callStack: 'Error' };
    const ended = await endJobWithoutResult(api.database.db, jobId, RUNNER, { status: 'FAILED', errors: [failure] });
    expect(ended?.job).toMatchObject({ status: 'CANCELLED', errors: [] });

    const running = await heldJob({ profileExportStartedAt: new Date() });
    const failed = await endJobWithoutResult(api.database.db, running, RUNNER, { status: 'FAILED', errors: [failure] });
    expect(failed?.job).toMatchObject({ status: 'FAILED', errors: [failure] });
  });
});
