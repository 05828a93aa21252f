/**
 * A part's last chunk frees its row (DONE, no runner): a lease renewal that waited on
 * the row meanwhile finds none and reports the lease lost. The part was read to its end
 * all the same, and its run says so, rather than count a lost lease.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readChunks } from '../../src/runner/chunkLoop';
import { planExport } from '../../src/runner/exportPlan';
import type { RunEnvironment } from '../../src/runner/runExportJob';
import { shardIfLarge } from '../../src/runner/shardedExport';
import { claimNext } from '../../src/runner/sql/claimJob';
import { claimPartOf } from '../../src/runner/sql/claimPart';
import { startExport as startRunExport } from '../../src/runner/sql/startExport';
import { storageTargets } from '../helpers/databases';
import { ingest, startExport } from '../helpers/exportFlow';
import { QUIET_LOGGER } from '../helpers/quietLogger';
import { NO_RUNNER, startTestServer, type TestServer } from '../helpers/testServer';

describe.each(storageTargets)('the end of a part, on $name', (target) => {
  let api: TestServer;
  beforeAll(async () => {
    api = await startTestServer(target, { concurrency: 0 });
  });
  afterAll(() => api?.close());

  it('reads a part to its end as read, though the heartbeat then finds its row DONE and its lease gone', async () => {
    const headers = { 'x-gw-ims-org-id': `ORG_PART_END_${target.name}@AdobeOrg` };
    await ingest(api, Array.from({ length: 300 }, (_, i) => ({ profileId: `p${String(i).padStart(3, '0')}` })), headers);
    await startExport(api, {}, headers);
    const { db } = api.database;
    const runnerId = 'coordinator';
    const claim = { runnerId, leaseMs: 60_000, tenantLimit: 5 };
    const claimed = await claimNext(db, claim);
    if (claimed?.kind !== 'export') throw new Error(`claimed ${claimed?.kind}`);
    const plan = planExport(claimed.job);
    const started = await startRunExport(db, claimed.job, plan, runnerId);
    // Parts of about 100 profiles: each read by one chunk (the first holds up to 250).
    const env: RunEnvironment = { db, logger: QUIET_LOGGER, runnerId, options: { ...NO_RUNNER, shardMinProfiles: 100, chunkSize: 1_000 }, stopping: () => false };
    expect(await shardIfLarge(env, started!, plan)).toBeGreaterThan(1);
    const part = await claimPartOf(db, claimed.job.id, claim);
    if (!part) throw new Error('no part to claim');
    const outcome = await readChunks(env, {
      plan: planExport(part.job),
      after: part.part.checkpointProfileId ?? part.part.afterProfileId,
      part: { part: part.part.part, upTo: part.part.upToProfileId },
      // The heartbeat's answer once its renewal found the row DONE.
      leaseLost: () => true,
    });
    expect(outcome).toBe('read');
  });
});
