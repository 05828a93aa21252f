/**
 * A segment's evaluation lease is held by one run of a job. A later run of the same job
 * takes it over at once (the earlier run died or stalled), and from then on the earlier
 * run can neither renew it nor give it back: before, the lease was the job's, so a run
 * that had lost its job went on renewing it, and at its end released the new run's lease,
 * which let another evaluation start beside the new run.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmentDefinitions } from '../../../src/db/schema';
import {
  releaseEvaluationLease,
  renewEvaluationLease,
  takeEvaluationLease,
  waitForEvaluationLease,
  type EvaluationLease,
} from '../../../src/segments/evaluation/evaluationLease';
import { storageTargets } from '../../helpers/databases';
import { startTestServer, TENANT, type TestServer } from '../../helpers/testServer';
import { createDefinition } from '../definitions/segmentDefinitionApi';

const tenant = { orgId: TENANT['x-gw-ims-org-id']!, sandboxName: 'prod' };

describe.each(storageTargets)('the evaluation lease on $name', (target) => {
  let api: TestServer;
  let segmentId: string;

  beforeAll(async () => {
    api = await startTestServer(target);
    segmentId = (await createDefinition(api, TENANT)).id;
  });
  afterAll(() => api?.close());

  const leaseOf = (job: string, run: string): EvaluationLease => ({ tenant, segmentId, job, run, leaseMs: 60_000 });
  const holder = async () =>
    (await api.database.db.select({ by: segmentDefinitions.evaluatingBy }).from(segmentDefinitions).where(eq(segmentDefinitions.id, segmentId)))[0]!.by;

  it("is taken over at once by a later run of its job, and the earlier run can then neither renew nor release it", async () => {
    const db = api.database.db;
    const earlier = leaseOf('export-job:7', 'runner-a/1');
    const later = leaseOf('export-job:7', 'runner-b/4');
    const otherJob = leaseOf('segment-job:9', 'runner-c/2');

    expect(await takeEvaluationLease(db, earlier)).toBe(true);
    expect(await takeEvaluationLease(db, otherJob)).toBe(false);
    expect(await takeEvaluationLease(db, later)).toBe(true);
    expect(await holder()).toBe('export-job:7@runner-b/4');

    expect(await renewEvaluationLease(db, earlier)).toBe(false);
    await releaseEvaluationLease(db, earlier);
    expect(await holder()).toBe('export-job:7@runner-b/4');
    expect(await takeEvaluationLease(db, otherJob)).toBe(false);

    expect(await renewEvaluationLease(db, later)).toBe(true);
    await releaseEvaluationLease(db, later);
    expect(await holder()).toBeNull();
    expect(await takeEvaluationLease(db, otherJob)).toBe(true);
    await releaseEvaluationLease(db, otherJob);
  });

  it('is not taken back by an earlier run that learns, before it tries, that its job is no longer its own', async () => {
    const db = api.database.db;
    const later = leaseOf('export-job:8', 'runner-b/5');
    expect(await takeEvaluationLease(db, later)).toBe(true);
    // The earlier run wakes between two segments: its job is lost, so it asks for nothing.
    expect(await waitForEvaluationLease(db, leaseOf('export-job:8', 'runner-a/2'), () => true)).toBe(false);
    expect(await holder()).toBe('export-job:8@runner-b/5');
    await releaseEvaluationLease(db, later);
  });
});
