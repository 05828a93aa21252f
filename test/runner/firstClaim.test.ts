/**
 * A claim tells a job's first (its wait in the queue, which the queue-wait histogram
 * measures) from a resume: a job handed back at shutdown gets its attempt back, and
 * its next claim, attempt 1 again, is still no wait in the queue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimNext } from '../../src/runner/sql/claimJob';
import { releaseJob } from '../../src/runner/sql/releaseJob';
import { storageTargets } from '../helpers/databases';
import { createDataset, createJob } from '../helpers/seedApi';
import { startTestServer, type TestServer } from '../helpers/testServer';

describe.each(storageTargets)('first claims on $name', (target) => {
  let api: TestServer;
  beforeAll(async () => {
    api = await startTestServer(target, { concurrency: 0 });
  });
  afterAll(() => api?.close());

  it('is the claim of a NEW job only, not the one after a hand-back', async () => {
    const job = await createJob(api, await createDataset(api));
    const options = { runnerId: 'first', leaseMs: 60_000, tenantLimit: 5 };
    const first = await claimNext(api.database.db, options);
    expect(first).toMatchObject({ kind: 'export', wasNew: true, job: { id: Number(job.id), attempts: 1 } });
    await releaseJob(api.database.db, Number(job.id), 'first');
    const resumed = await claimNext(api.database.db, { ...options, runnerId: 'second' });
    expect(resumed).toMatchObject({ kind: 'export', wasNew: false, job: { id: Number(job.id), attempts: 1 } });
  });
});
