/**
 * The runner's lost wake-up, made to happen: a job is created and announced
 * after the runner's claim found nothing but before the runner waits. The
 * runner must remember that wake-up and claim again at once. Its poll here is
 * an hour, and its bus is the test's, which announces nothing else: only the
 * remembered wake-up can start the job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppDatabase } from '../../src/db/database';
import type { EventBus, JobEventListener } from '../../src/events/eventBus';
import type { JobEvent } from '../../src/events/jobEvent';
import { startRunner } from '../../src/runner/runner';
import { storageTargets } from '../helpers/databases';
import { ingest, startExport, waitForJob } from '../helpers/exportFlow';
import { NO_RUNNER, startTestServer, type TestServer } from '../helpers/testServer';
import { testFileStore } from '../helpers/testFiles';
import { QUIET_LOGGER } from '../helpers/quietLogger';

const HOUR_MS = 3_600_000;

describe.each(storageTargets)("the runner's wake-up on $name", (target) => {
  let api: TestServer;

  beforeAll(async () => {
    // The server's own runner is off (NO_RUNNER): the runner under test is the only one.
    api = await startTestServer(target);
  });
  afterAll(() => api?.close());

  it('claims a job announced between a claim that found nothing and the wait, without waiting for the poll', async () => {
    const headers = { 'x-gw-ims-org-id': 'ORG_WAKE_UP@AdobeOrg' };
    await ingest(api, [{ profileId: 'p1', segments: [{ segmentId: 'seg', status: 'REALIZED' }] }], headers);
    const listeners = new Set<JobEventListener>();
    const bus: EventBus = {
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      onMissedEvents: () => () => {},
    };
    let announced: string | undefined;
    const db = afterFirstEmptyClaim(api.database.db, async () => {
      // The claim's transaction is over and found no job; the loop has not yet chosen to wait.
      const { jobId } = await startExport(api, { filter: { segments: [{ segmentId: 'seg' }] } }, headers);
      announced = jobId;
      for (const listener of listeners) listener(createdEvent(jobId, headers['x-gw-ims-org-id']));
    });
    const runner = startRunner({
      db,
      bus,
      files: testFileStore(),
      logger: QUIET_LOGGER,
      options: { ...NO_RUNNER, concurrency: 1, pollMs: HOUR_MS },
    });
    try {
      await expect.poll(() => announced, { timeout: 10_000 }).toBeDefined();
      const job = await waitForJob(api, announced!, undefined, headers);
      expect(job.status).toBe('SUCCEEDED');
    } finally {
      await runner.stop();
    }
  });
});

/**
 * `db`, which runs `meanwhile` once, before the caller gets the first answer of
 * claimNext finding no job: its check that no job may want work (an `execute`
 * answering `wanted: false`), or, past that check, its claim's transaction
 * answering null. Every other call passes through.
 */
function afterFirstEmptyClaim(db: AppDatabase, meanwhile: () => Promise<void>): AppDatabase {
  let held = false;
  const once = async <T>(result: T, empty: boolean): Promise<T> => {
    if (empty && !held) {
      held = true;
      await meanwhile();
    }
    return result;
  };
  return new Proxy(db, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property === 'transaction') {
        return async (...args: Parameters<AppDatabase['transaction']>) => {
          const result = await target.transaction(...args);
          return once(result, result === null);
        };
      }
      if (property === 'execute') {
        return async (...args: Parameters<AppDatabase['execute']>) => {
          const result = await target.execute(...args);
          const [first] = result as unknown as Record<string, unknown>[];
          return once(result, first?.wanted === false);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function createdEvent(jobId: string, orgId: string): JobEvent {
  return {
    id: 1,
    type: 'CREATED',
    jobId: Number(jobId),
    orgId,
    sandboxName: 'prod',
    status: 'NEW',
    previousStatus: null,
    progress: { processedProfiles: 0, totalProfiles: 0, percent: 0 },
    sequence: 1,
    occurredAt: new Date(),
  };
}
