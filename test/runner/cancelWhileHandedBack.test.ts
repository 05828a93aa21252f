/**
 * A job handed back after a passing database error has no runner and waits `attempts`
 * seconds before a runner may resume it (handBackAfterError.ts). A cancel meanwhile must
 * not wait with it: a runner claims the cancelled job at once and ends it CANCELLED.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANCEL_EXPORT_JOB } from '../fixtures/operations';
import { storageTargets } from '../helpers/databases';
import { ingest, startExport, waitForJob } from '../helpers/exportFlow';
import { startTestRunner } from '../helpers/testRunner';
import { startTestServer, type TestServer } from '../helpers/testServer';

describe.each(storageTargets)('a job cancelled while handed back, on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target);
  });
  afterAll(() => api?.close());

  it.each([
    ['a tenant limit it leaves room under', 2],
    ['a tenant limit of one, which the waiting job itself fills', 1],
  ])('ends CANCELLED within seconds, not once its wait to resume is over, with %s', async (_case, tenantLimit) => {
    const headers = { 'x-gw-ims-org-id': `ORG_CANCEL_HANDED_BACK_${tenantLimit}_${target.name}@AdobeOrg` };
    await ingest(api, [{ profileId: 'p1' }, { profileId: 'p2' }], headers);
    const { jobId } = await startExport(api, {}, headers);
    // As handBackJobAfterError leaves a job: no runner, to be resumed a minute from now.
    await api.database.db.execute(
      sql`update export_jobs set status = 'PROCESSING', attempts = 3, locked_by = null, locked_until = now() + interval '1 minute' where id = ${Number(jobId)}`,
    );
    const cancel = await api.graphql(CANCEL_EXPORT_JOB, { id: jobId }, headers);
    expect(cancel.data!.cancelExportJob.job.status).toBe('CANCELLING');
    const runner = startTestRunner(api, { concurrency: 1, tenantLimit });
    try {
      const job = await waitForJob(api, jobId, ['CANCELLED', 'SUCCEEDED', 'FAILED'], headers, 10_000);
      expect(job.status).toBe('CANCELLED');
    } finally {
      await runner.stop();
    }
  });
});
