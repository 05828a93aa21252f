import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJobs } from '../../src/db/schema';
import type { ExportJobStatus } from '../../src/jobs/exportJobStatus';
import { CANCEL_EXPORT_JOB, GET_EXPORT_JOB } from '../fixtures/operations';
import { storageTargets } from '../helpers/databases';
import { createDataset, createJob, startServerWithDataset } from '../helpers/seedApi';
import { TENANT, type TestServer } from '../helpers/testServer';

const MESSAGE = 'Export job has been marked for cancelling';

describe.each(storageTargets)('cancelExportJob on $name', (target) => {
  let api: TestServer;
  let datasetId: string;

  beforeAll(async () => ({ api, datasetId } = await startServerWithDataset(target)));
  afterAll(() => api?.close());

  /** There is no runner yet: moves a job straight to `status` in the database. */
  async function setStatus(id: string, status: ExportJobStatus): Promise<void> {
    await api.database.db.update(exportJobs).set({ status }).where(eq(exportJobs.id, Number(id)));
  }

  async function readJob(id: string, headers: Record<string, string> = TENANT): Promise<Record<string, any>> {
    const response = await api.graphql(GET_EXPORT_JOB, { id }, headers);
    expect(response.errors).toBeUndefined();
    return response.data!.exportJob as Record<string, any>;
  }

  it('gives the span of a job left NEW for a month and then cancelled, past what an Int holds', async () => {
    const job = await createJob(api, datasetId);
    await api.database.db.execute(sql`update export_jobs set creation_time = now() - interval '30 days' where id = ${Number(job.id)}`);
    const response = await api.graphql(CANCEL_EXPORT_JOB, { id: job.id });
    expect(response.errors).toBeUndefined();
    const totalTime = response.data!.cancelExportJob.job.metrics.totalTime;
    expect(totalTime.totalTimeInMs).toBeGreaterThan(2 ** 31);
    expect(totalTime.totalTimeInMs).toBe(Date.parse(totalTime.endTime) - Date.parse(totalTime.startTime));
  });

  it('cancels a NEW job at once and records when it ended', async () => {
    const job = await createJob(api, datasetId);
    const response = await api.graphql(CANCEL_EXPORT_JOB, { id: job.id });
    expect(response.errors).toBeUndefined();
    const payload = response.data!.cancelExportJob;
    expect(payload).toMatchObject({ status: true, message: MESSAGE, job: { id: job.id, status: 'CANCELLED' } });
    const totalTime = payload.job.metrics.totalTime;
    expect(totalTime.startTime).toBe(job.metrics.totalTime.startTime);
    expect(totalTime.endTime).toEqual(expect.any(String));
    expect(Date.parse(totalTime.endTime)).toBeGreaterThanOrEqual(Date.parse(totalTime.startTime));
    expect(totalTime.totalTimeInMs).toEqual(expect.any(Number));
    expect(totalTime.totalTimeInMs).toBeGreaterThanOrEqual(0);
    expect(totalTime.totalTimeInMs).toBe(Date.parse(totalTime.endTime) - Date.parse(totalTime.startTime));

    const stored = await readJob(job.id);
    expect(stored.status).toBe('CANCELLED');
    expect(stored.metrics.totalTime).toEqual(totalTime);
  });

  it('answers the same again when a cancelled job is cancelled again', async () => {
    const job = await createJob(api, datasetId);
    const first = await api.graphql(CANCEL_EXPORT_JOB, { id: job.id });
    const again = await api.graphql(CANCEL_EXPORT_JOB, { id: job.id });
    expect(again.errors).toBeUndefined();
    expect(again.data!.cancelExportJob).toMatchObject({ status: true, message: MESSAGE, job: { status: 'CANCELLED' } });
    expect(again.data!.cancelExportJob).toEqual(first.data!.cancelExportJob);
    expect((await readJob(job.id)).status).toBe('CANCELLED');
  });

  it('marks a PROCESSING job CANCELLING and answers the same when asked again', async () => {
    const job = await createJob(api, datasetId);
    await setStatus(job.id, 'PROCESSING');

    const first = await api.graphql(CANCEL_EXPORT_JOB, { id: job.id });
    expect(first.errors).toBeUndefined();
    expect(first.data!.cancelExportJob).toMatchObject({
      status: true,
      message: MESSAGE,
      job: { id: job.id, status: 'CANCELLING', metrics: { totalTime: { endTime: null, totalTimeInMs: null } } },
    });
    expect((await readJob(job.id)).status).toBe('CANCELLING');

    const again = await api.graphql(CANCEL_EXPORT_JOB, { id: job.id });
    expect(again.errors).toBeUndefined();
    expect(again.data!.cancelExportJob).toEqual(first.data!.cancelExportJob);
    expect((await readJob(job.id)).status).toBe('CANCELLING');
  });

  const FINISHED: ExportJobStatus[] = ['SUCCEEDED', 'FAILED'];

  it.each(FINISHED)('refuses to cancel a %s job as a CONFLICT and leaves it unchanged', async (status) => {
    const job = await createJob(api, datasetId);
    await setStatus(job.id, status);
    const before = await readJob(job.id);

    const response = await api.graphql(CANCEL_EXPORT_JOB, { id: job.id });
    expect(response.data).toBeNull();
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]).toMatchObject({ path: ['cancelExportJob'], extensions: { code: 'CONFLICT' } });
    expect(await readJob(job.id)).toEqual(before);
    expect(before.status).toBe(status);
  });

  const UNKNOWN_IDS = ['999999999', 'abc', '-1', '1.5', ''];

  it.each(UNKNOWN_IDS)('answers NOT_FOUND for the job id %j, which names no job', async (id) => {
    const response = await api.graphql(CANCEL_EXPORT_JOB, { id });
    expect(response.data).toBeNull();
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]).toMatchObject({ path: ['cancelExportJob'], extensions: { code: 'NOT_FOUND' } });
  });

  it.each([
    { tenant: 'another organisation', headers: { 'x-gw-ims-org-id': 'ORG_B@AdobeOrg' } },
    { tenant: 'another sandbox of the same org', headers: { ...TENANT, 'x-sandbox-name': 'dev' } },
  ])("answers NOT_FOUND for a job of $tenant and leaves it NEW", async ({ headers }) => {
    const theirDataset = await createDataset(api, headers);
    const theirs = await createJob(api, theirDataset, headers);

    const response = await api.graphql(CANCEL_EXPORT_JOB, { id: theirs.id });
    expect(response.data).toBeNull();
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]).toMatchObject({ path: ['cancelExportJob'], extensions: { code: 'NOT_FOUND' } });
    expect(await readJob(theirs.id, headers)).toEqual(theirs);
  });
});
