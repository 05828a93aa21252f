/**
 * A dataset write whose job another runner has taken (its lease ran out while it was held
 * up) stops before the next batch: storing a batch first empties its directory, which may
 * hold the files the job's new holder wrote and listed.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJobs } from '../../src/db/schema';
import type { FileStore } from '../../src/files/fileStore';
import { storageTargets } from '../helpers/databases';
import { ingest, startExport, type ProfileSpec } from '../helpers/exportFlow';
import { startTestRunner } from '../helpers/testRunner';
import { testFileStore } from '../helpers/testFiles';
import { startTestServer, type TestServer } from '../helpers/testServer';

const PROFILES: ProfileSpec[] = ['alice', 'bob', 'carol'].map((profileId) => ({
  profileId,
  identities: [{ namespace: 'email', id: `${profileId}@example.com` }],
  segments: [
    { segmentId: 's1', status: 'EXISTING' },
    { segmentId: 's2', status: 'EXISTING' },
    { segmentId: 's3', status: 'EXISTING' },
  ],
}));

describe.each(storageTargets)('a dataset write on $name', (target) => {
  let api: TestServer;
  beforeAll(async () => {
    api = await startTestServer(target);
  });
  afterAll(() => api?.close());

  it('stores no further batch once another runner holds the job', async () => {
    const headers = { 'x-gw-ims-org-id': `ORG_WRITE_FENCE_${target.name}@AdobeOrg` };
    await ingest(api, PROFILES, headers);
    const { jobId } = await startExport(
      api,
      { filter: { segments: [{ segmentId: 's1' }, { segmentId: 's2' }, { segmentId: 's3' }] }, destination: { segmentPerBatch: true } },
      headers,
    );
    const stored: string[] = [];
    const store = testFileStore();
    // Once the first batch is stored, the job passes to another runner, as after a pause past the lease.
    const takenAfterFirstBatch: FileStore = {
      kind: store.kind,
      keyPrefixOf: store.keyPrefixOf,
      removeJob: store.removeJob,
      removeBatch: store.removeBatch,
      async storeBatch(job, batchId, write, signal) {
        stored.push(batchId);
        await store.storeBatch(job, batchId, write, signal);
        if (stored.length === 1) {
          await api.database.db
            .update(exportJobs)
            .set({ lockedBy: 'another-runner', lockedUntil: sql`now() + interval '1 hour'` })
            .where(eq(exportJobs.id, job));
        }
      },
    };
    const runner = startTestRunner(api, { concurrency: 1 }, takenAfterFirstBatch);
    try {
      const deadline = Date.now() + 20_000;
      while (stored.length === 0 || runner.busySlots() > 0) {
        if (Date.now() > deadline) throw new Error(`The run did not end: ${stored.length} batches stored`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await runner.stop();
    }
    expect(stored).toHaveLength(1);
    const [job] = await api.database.db.select().from(exportJobs).where(eq(exportJobs.id, Number(jobId)));
    expect(job).toMatchObject({ status: 'PROCESSING', lockedBy: 'another-runner' });
  });
});
