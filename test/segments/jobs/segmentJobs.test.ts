/**
 * Segment jobs (`evaluateSegments`): segments evaluated on their own by the
 * runners, with the seeds' membership statuses counted; `segmentJob`,
 * `SegmentDefinition.lastEvaluation`; bad input, the tenant's quota, another
 * tenant's ids; a definition deleted before the run; a run that resumes after
 * its runner died; one evaluation of a segment at a time (its lease); one
 * per-tenant limit over export and segment jobs.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmentJobs, segmentMemberships } from '../../../src/db/schema';
import { runSegmentJob } from '../../../src/runner/runSegmentJob';
import { claimNext } from '../../../src/runner/sql/claimJob';
import { startSegmentJob } from '../../../src/runner/sql/segmentJobRun';
import { evaluateSegment } from '../../../src/segments/evaluation/evaluateSegment';
import { storageTargets } from '../../helpers/databases';
import { ingest, startExport, type ProfileSpec } from '../../helpers/exportFlow';
import { NO_RUNNER, startTestServer, type TestServer } from '../../helpers/testServer';
import { waitUntil } from '../../helpers/waitUntil';
import { createDefinition, DELETE_SEGMENT_DEFINITION, freshTenant } from '../definitions/segmentDefinitionApi';
import { QUIET_LOGGER } from '../../helpers/quietLogger';

const EXPRESSION = 'person.name.firstName.startsWith("F1") and homeAddress.countryCode = "US"';

const SEGMENT_JOB_FIELDS = /* GraphQL */ `
  fragment SegmentJobFields on SegmentJob {
    id status segmentIds realized existing exited creationTime startTime endTime errors { code msg }
  }
`;
const EVALUATE = /* GraphQL */ `
  mutation Evaluate($ids: [ID!]!) { evaluateSegments(segmentIds: $ids) { ...SegmentJobFields } }
  ${SEGMENT_JOB_FIELDS}
`;
const SEGMENT_JOB = /* GraphQL */ `
  query SegmentJob($id: ID!) { segmentJob(id: $id) { ...SegmentJobFields } }
  ${SEGMENT_JOB_FIELDS}
`;
const LAST_EVALUATIONS = /* GraphQL */ `
  query Last { segmentDefinitions(first: 10) { edges { node { id lastEvaluation { id status } } } } }
`;

function person(profileId: string, firstName: string, countryCode: string): ProfileSpec {
  return { profileId, attributes: { person: { name: { firstName } }, homeAddress: { countryCode } } };
}


function tenantOf(headers: Record<string, string>) {
  return { orgId: headers['x-gw-ims-org-id']!, sandboxName: headers['x-sandbox-name']! };
}

describe.each(storageTargets)('segment jobs on $name', (target) => {
  describe('run by the runners', () => {
    let api: TestServer;
    beforeAll(async () => {
      api = await startTestServer(target, { concurrency: 2 });
    });
    afterAll(() => api?.close());

    const evaluate = async (ids: string[], headers: Record<string, string>) => {
      const response = await api.graphql(EVALUATE, { ids }, headers);
      expect(response.errors).toBeUndefined();
      return response.data!.evaluateSegments as Record<string, any>;
    };
    const finished = async (id: string, headers: Record<string, string>) => {
      let job: Record<string, any> = {};
      await waitUntil(async () => {
        job = (await api.graphql(SEGMENT_JOB, { id }, headers)).data!.segmentJob as Record<string, any>;
        return job.status === 'SUCCEEDED' || job.status === 'FAILED';
      });
      return job;
    };

    it('evaluates a saved segment, then again after profiles changed: REALIZED, EXISTING and EXITED counted as the rules say', async () => {
      const headers = freshTenant('SEGJOB');
      await ingest(
        api,
        [person('p1', 'F1ona', 'US'), person('p2', 'F10', 'US'), person('p3', 'F1rst', 'DE'), person('p4', 'Gus', 'US'), person('p5', 'F12', 'US')],
        headers,
      );
      const definition = await createDefinition(api, headers, { name: 'F1 in the US', expression: { value: EXPRESSION } });
      expect((await api.graphql(LAST_EVALUATIONS, {}, headers)).data!.segmentDefinitions.edges[0].node.lastEvaluation).toBeNull();

      const created = await evaluate([definition.id], headers);
      expect(created).toMatchObject({ status: 'NEW', segmentIds: [definition.id], realized: 0, existing: 0, exited: 0, startTime: null, endTime: null, errors: [] });
      const first = await finished(created.id, headers);
      expect(first).toMatchObject({ status: 'SUCCEEDED', realized: 3, existing: 0, exited: 0, errors: [] });
      expect(Date.parse(first.endTime)).toBeGreaterThanOrEqual(Date.parse(first.startTime));

      // Two leave (p2 changes its name, p5 moves), one enters (p4), p1 stays.
      await ingest(api, [person('p2', 'Gio', 'US'), person('p4', 'F1nn', 'US'), person('p5', 'F12', 'FR')], headers);
      const second = await finished((await evaluate([definition.id], headers)).id, headers);
      expect(second).toMatchObject({ status: 'SUCCEEDED', realized: 1, existing: 1, exited: 2 });

      // Memberships at the jobs' evaluation times (their startTime); p1 keeps its first.
      const memberships = await api.database.db
        .select()
        .from(segmentMemberships)
        .where(eq(segmentMemberships.segmentId, definition.id));
      expect(Object.fromEntries(memberships.map((row) => [row.profileId, [row.status, row.qualificationTime?.toISOString()]]))).toEqual({
        p1: ['EXISTING', new Date(first.startTime).toISOString()],
        p2: ['EXITED', new Date(second.startTime).toISOString()],
        p4: ['REALIZED', new Date(second.startTime).toISOString()],
        p5: ['EXITED', new Date(second.startTime).toISOString()],
      });
      // The newest ended job is the definition's last evaluation.
      const last = (await api.graphql(LAST_EVALUATIONS, {}, headers)).data!.segmentDefinitions.edges[0].node.lastEvaluation;
      expect(last).toEqual({ id: second.id, status: 'SUCCEEDED' });
    });

    it('sums the counts of all its segments, and each definition gets it as its last evaluation', async () => {
      const headers = freshTenant('SEGJOB');
      await ingest(api, [person('a', 'Ann', 'US'), person('b', 'Bob', 'US'), person('c', 'Cid', 'DE')], headers);
      const us = await createDefinition(api, headers, { name: 'US', expression: { value: 'homeAddress.countryCode = "US"' } });
      const de = await createDefinition(api, headers, { name: 'DE', expression: { value: 'homeAddress.countryCode = "DE"' } });
      const job = await finished((await evaluate([us.id, de.id], headers)).id, headers);
      expect(job).toMatchObject({ status: 'SUCCEEDED', segmentIds: [us.id, de.id], realized: 3, existing: 0, exited: 0 });
      const lasts = (await api.graphql(LAST_EVALUATIONS, {}, headers)).data!.segmentDefinitions.edges.map(
        (edge: any) => edge.node.lastEvaluation?.id,
      );
      expect(lasts).toEqual([job.id, job.id]);
      // Another tenant sees neither the job nor, through its own definitions, anything of it.
      const stranger = freshTenant('SEGJOB');
      expect((await api.graphql(SEGMENT_JOB, { id: job.id }, stranger)).data!.segmentJob).toBeNull();
    });
  });

  describe('without a runner', () => {
    let api: TestServer;
    beforeAll(async () => {
      api = await startTestServer(target, { concurrency: 0 }, {}, { queuedJobs: 2 });
    });
    afterAll(() => api?.close());

    const errorOf = async (ids: unknown, headers: Record<string, string>) => {
      const response = await api.graphql(EVALUATE, { ids }, headers);
      expect(response.data).toBeNull();
      return response.errors![0]!;
    };

    it('refuses what cannot be evaluated with BAD_USER_INPUT on segmentIds, naming it, and writes nothing', async () => {
      const headers = freshTenant('SEGJOB');
      const definition = await createDefinition(api, headers);
      const strangers = freshTenant('SEGJOB');
      const theirs = await createDefinition(api, strangers);
      const unknown = '00000000-0000-4000-8000-000000000000';
      const cases: [unknown, RegExp][] = [
        [[], /1 to 100/],
        [Array.from({ length: 101 }, (_, i) => `${definition.id.slice(0, -3)}${String(i).padStart(3, '0')}`), /1 to 100/],
        [[definition.id, definition.id], /named twice/],
        [[definition.id, unknown], new RegExp(unknown)],
        [[theirs.id], new RegExp(theirs.id)],
        [['not-a-uuid'], /not-a-uuid/],
      ];
      for (const [ids, message] of cases) {
        const error = await errorOf(ids, headers);
        expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'segmentIds' });
        expect(error.message).toMatch(message);
      }
      const [row] = await api.database.db
        .select({ n: sql<number>`count(*)::int` })
        .from(segmentJobs)
        .where(eq(segmentJobs.orgId, tenantOf(headers).orgId));
      expect(row!.n).toBe(0);
      expect((await api.graphql(SEGMENT_JOB, { id: 'not-a-uuid' }, headers)).data!.segmentJob).toBeNull();
    });

    it('keeps a definition that a waiting segment job evaluates (CONFLICT), and at most LIMIT_QUEUED_JOBS jobs wait', async () => {
      const headers = freshTenant('SEGJOB');
      const definition = await createDefinition(api, headers);
      for (let i = 0; i < 2; i++) expect((await api.graphql(EVALUATE, { ids: [definition.id] }, headers)).errors).toBeUndefined();
      const third = await errorOf([definition.id], headers);
      expect(third.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', quota: 'queuedSegmentJobs' });
      const deleting = await api.graphql(DELETE_SEGMENT_DEFINITION, { id: definition.id }, headers);
      expect(deleting.errors?.[0]?.extensions?.code).toBe('CONFLICT');
      // Another tenant's quota is its own.
      const other = freshTenant('SEGJOB');
      const theirs = await createDefinition(api, other);
      expect((await api.graphql(EVALUATE, { ids: [theirs.id] }, other)).errors).toBeUndefined();
    });

    // Jobs of earlier tests may still wait: a test that claims makes its own jobs the oldest, each older than the last.
    let aged = 0;
    const makeOldest = async (table: 'segment_jobs' | 'export_jobs', id: string | number) => {
      aged += 1;
      await api.database.db.execute(
        sql`update ${sql.identifier(table)} set creation_time = now() - ${aged * 10} * interval '1 day' where id = ${id}`,
      );
    };

    const environment = (runnerId: string) => ({
      db: api.database.db,
      logger: QUIET_LOGGER,
      runnerId,
      options: { ...NO_RUNNER, concurrency: 1, leaseMs: 60_000 },
      stopping: () => false,
    });

    /** Makes the segment job the oldest, claims it (it must be the one claimed) and runs it once. */
    const claimAndRun = async (id: string) => {
      await makeOldest('segment_jobs', id);
      const claimed = await claimNext(api.database.db, { runnerId: 'runner-x', leaseMs: 60_000, tenantLimit: 100 });
      expect(claimed).toMatchObject({ kind: 'segment', job: { id } });
      return runSegmentJob(environment('runner-x'), claimed!.job as any);
    };

    it('fails a job whose definition was deleted before its run with SEGMENT_NOT_DEFINED, writing no membership; the failed job is the last evaluation of the others', async () => {
      const headers = freshTenant('SEGJOB');
      await ingest(api, [person('a', 'Ann', 'US')], headers);
      const kept = await createDefinition(api, headers);
      const deleted = await createDefinition(api, headers);
      const succeeded = (await api.graphql(EVALUATE, { ids: [kept.id] }, headers)).data!.evaluateSegments;
      expect(await claimAndRun(succeeded.id)).toBe('succeeded');

      const created = (await api.graphql(EVALUATE, { ids: [kept.id, deleted.id] }, headers)).data!.evaluateSegments;
      // Deleted behind the API's back (the API refuses while the job waits).
      await api.database.db.execute(sql`delete from segment_definitions where id = ${deleted.id}`);
      expect(await claimAndRun(created.id)).toBe('failed');
      const job = (await api.graphql(SEGMENT_JOB, { id: created.id }, headers)).data!.segmentJob;
      expect(job).toMatchObject({ status: 'FAILED', errors: [{ code: 'SEGMENT_NOT_DEFINED' }], realized: 0 });
      expect(job.endTime).not.toBeNull();
      const members = await api.database.db.select().from(segmentMemberships).where(eq(segmentMemberships.segmentId, deleted.id));
      expect(members).toEqual([]);

      // Newest finished, failed or not: the failed job, not the earlier success.
      const edges = (await api.graphql(LAST_EVALUATIONS, {}, headers)).data!.segmentDefinitions.edges;
      expect(edges.map((edge: any) => edge.node)).toEqual([{ id: kept.id, lastEvaluation: { id: created.id, status: 'FAILED' } }]);
      expect(succeeded.id).not.toBe(created.id);
    });

    it('fails with SEGMENT_EVALUATION_FAILED when the evaluation throws, and with SEGMENT_ATTEMPTS_EXHAUSTED once interrupted too often, writing no membership', async () => {
      const headers = freshTenant('SEGJOB');
      await ingest(api, [person('a', 'Ann', 'US')], headers);
      const broken = await createDefinition(api, headers);
      // An expression the API would refuse, stored behind its back: compiling it throws mid-run.
      await api.database.db.execute(sql`update segment_definitions set expression_value = 'person.name.firstName.startsWith(' where id = ${broken.id}`);
      const failing = (await api.graphql(EVALUATE, { ids: [broken.id] }, headers)).data!.evaluateSegments;
      expect(await claimAndRun(failing.id)).toBe('failed');
      expect((await api.graphql(SEGMENT_JOB, { id: failing.id }, headers)).data!.segmentJob).toMatchObject({
        status: 'FAILED',
        errors: [{ code: 'SEGMENT_EVALUATION_FAILED' }],
      });

      const definition = await createDefinition(api, headers);
      const given = (await api.graphql(EVALUATE, { ids: [definition.id] }, headers)).data!.evaluateSegments;
      // As if it had been claimed maxAttempts times already, each run interrupted.
      await api.database.db.execute(sql`update segment_jobs set attempts = ${NO_RUNNER.maxAttempts} where id = ${given.id}`);
      expect(await claimAndRun(given.id)).toBe('failed');
      const job = (await api.graphql(SEGMENT_JOB, { id: given.id }, headers)).data!.segmentJob;
      expect(job).toMatchObject({ status: 'FAILED', errors: [{ code: 'SEGMENT_ATTEMPTS_EXHAUSTED' }], realized: 0 });
      const members = await api.database.db.select().from(segmentMemberships).where(eq(segmentMemberships.segmentId, definition.id));
      expect(members).toEqual([]);
    });

    it('resumes after its runner died mid-evaluation: same evaluation time, same memberships and counts as one uninterrupted run', async () => {
      const headers = freshTenant('SEGJOB');
      const profiles = Array.from({ length: 30 }, (_, i) => person(`p${String(i).padStart(2, '0')}`, 'F1x', i % 3 === 0 ? 'DE' : 'US'));
      await ingest(api, profiles, headers);
      const definition = await createDefinition(api, headers, { expression: { value: EXPRESSION } });
      const created = (await api.graphql(EVALUATE, { ids: [definition.id] }, headers)).data!.evaluateSegments;
      const db = api.database.db;
      await makeOldest('segment_jobs', created.id);

      // The first runner claims it, starts, writes one chunk of 10 profiles, and dies.
      const dying = await claimNext(db, { runnerId: 'runner-dead', leaseMs: 60_000, tenantLimit: 100 });
      expect(dying?.job.id).toBe(created.id);
      const evaluatedAt = (await startSegmentJob(db, created.id, 'runner-dead'))!;
      await expect(
        evaluateSegment(db, {
          tenant: tenantOf(headers),
          segmentId: definition.id,
          expression: EXPRESSION,
          now: evaluatedAt,
          chunkSize: 10,
          onChunk: () => {
            throw new Error('the runner died');
          },
        }),
      ).rejects.toThrow('the runner died');
      expect(await db.select().from(segmentMemberships).where(eq(segmentMemberships.segmentId, definition.id))).toHaveLength(6);
      await db.execute(sql`update segment_jobs set locked_until = now() - interval '1 second' where id = ${created.id}`);

      const resumed = await claimNext(db, { runnerId: 'runner-b', leaseMs: 60_000, tenantLimit: 100 });
      expect(resumed).toMatchObject({ kind: 'segment', job: { id: created.id, attempts: 2, status: 'PROCESSING' } });
      expect(await runSegmentJob(environment('runner-b'), resumed!.job as any)).toBe('succeeded');
      const job = (await api.graphql(SEGMENT_JOB, { id: created.id }, headers)).data!.segmentJob;
      expect(job).toMatchObject({ status: 'SUCCEEDED', realized: 20, existing: 0, exited: 0 });
      expect(new Date(job.startTime).toISOString()).toBe(evaluatedAt.toISOString());
      const members = await db.select().from(segmentMemberships).where(eq(segmentMemberships.segmentId, definition.id));
      expect(members).toHaveLength(20);
      expect(new Set(members.map((row) => `${row.status} ${row.qualificationTime?.toISOString()}`))).toEqual(
        new Set([`REALIZED ${evaluatedAt.toISOString()}`]),
      );
    });

    it('waits while another evaluation holds the segment, evaluates once it is given back, and gives it back in turn', async () => {
      const headers = freshTenant('SEGJOB');
      await ingest(api, [person('a', 'Ann', 'US'), person('b', 'Bob', 'US')], headers);
      const definition = await createDefinition(api, headers);
      const db = api.database.db;
      // An export job's segmentation phase holds the segment for another minute.
      await db.execute(sql`update segment_definitions set evaluating_by = 'export-job:1', evaluating_until = now() + interval '1 minute' where id = ${definition.id}`);
      const created = (await api.graphql(EVALUATE, { ids: [definition.id] }, headers)).data!.evaluateSegments;
      await makeOldest('segment_jobs', created.id);
      const claimed = await claimNext(db, { runnerId: 'runner-w', leaseMs: 60_000, tenantLimit: 100 });
      expect(claimed?.job.id).toBe(created.id);
      const running = runSegmentJob(environment('runner-w'), claimed!.job as any);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await api.graphql(SEGMENT_JOB, { id: created.id }, headers)).data!.segmentJob).toMatchObject({ status: 'PROCESSING', realized: 0 });
      expect(await db.select().from(segmentMemberships).where(eq(segmentMemberships.segmentId, definition.id))).toEqual([]);
      await db.execute(sql`update segment_definitions set evaluating_by = null, evaluating_until = null where id = ${definition.id}`);
      expect(await running).toBe('succeeded');
      expect((await api.graphql(SEGMENT_JOB, { id: created.id }, headers)).data!.segmentJob).toMatchObject({ status: 'SUCCEEDED', realized: 2 });
      const [lease] = await db.execute<{ evaluating_by: string | null }>(sql`select evaluating_by from segment_definitions where id = ${definition.id}`);
      expect(lease!.evaluating_by).toBeNull();
    });

    it('takes over the lease of an evaluation whose holder died, and hands its job back when the runner stops while waiting', async () => {
      const headers = freshTenant('SEGJOB');
      await ingest(api, [person('a', 'Ann', 'US')], headers);
      const definition = await createDefinition(api, headers);
      const db = api.database.db;
      const hold = (until: string) =>
        db.execute(sql`update segment_definitions set evaluating_by = 'segment-job:gone', evaluating_until = now() + ${until}::interval where id = ${definition.id}`);

      // Held, and the runner stops while it waits: the job is handed back, not failed.
      await hold('1 minute');
      const first = (await api.graphql(EVALUATE, { ids: [definition.id] }, headers)).data!.evaluateSegments;
      await makeOldest('segment_jobs', first.id);
      const claimed = await claimNext(db, { runnerId: 'runner-s', leaseMs: 60_000, tenantLimit: 100 });
      let stopping = false;
      const running = runSegmentJob({ ...environment('runner-s'), stopping: () => stopping }, claimed!.job as any);
      await new Promise((resolve) => setTimeout(resolve, 300));
      stopping = true;
      expect(await running).toBe('released');
      const [handedBack] = await db.execute<{ status: string; locked_by: string | null }>(sql`select status, locked_by from segment_jobs where id = ${first.id}`);
      expect(handedBack).toEqual({ status: 'PROCESSING', locked_by: null });

      // Its holder died a while ago (the lease expired): the next run takes the segment at once.
      await hold('-1 second');
      const resumed = await claimNext(db, { runnerId: 'runner-t', leaseMs: 60_000, tenantLimit: 100 });
      expect(resumed?.job.id).toBe(first.id);
      expect(await runSegmentJob(environment('runner-t'), resumed!.job as any)).toBe('succeeded');
      expect((await api.graphql(SEGMENT_JOB, { id: first.id }, headers)).data!.segmentJob).toMatchObject({ status: 'SUCCEEDED', realized: 1 });
    });

    it('claims the oldest job of either kind, and counts both kinds against one per-tenant limit', async () => {
      const headers = freshTenant('SEGJOB');
      const tenant = tenantOf(headers);
      await ingest(api, [person('a', 'Ann', 'US')], headers);
      const definition = await createDefinition(api, headers);
      const db = api.database.db;
      const segmentJob = (await api.graphql(EVALUATE, { ids: [definition.id] }, headers)).data!.evaluateSegments;
      const { jobId } = await startExport(api, {}, headers);
      // The export is older than every job but the segment job.
      await makeOldest('export_jobs', Number(jobId));
      await makeOldest('segment_jobs', segmentJob.id);

      const first = await claimNext(db, { runnerId: 'runner-1', leaseMs: 60_000, tenantLimit: 1 });
      expect(first).toMatchObject({ kind: 'segment', job: { id: segmentJob.id } });
      // The tenant runs one job (a segment job): its export waits, whichever runner asks.
      const second = await claimNext(db, { runnerId: 'runner-2', leaseMs: 60_000, tenantLimit: 1 });
      expect(second === null || second.job.orgId !== tenant.orgId).toBe(true);
      const exportRow = await db.execute<{ status: string }>(sql`select status from export_jobs where id = ${Number(jobId)}`);
      expect(exportRow[0]!.status).toBe('NEW');
      // With room for two, the export is claimed next.
      const third = await claimNext(db, { runnerId: 'runner-3', leaseMs: 60_000, tenantLimit: 2 });
      expect(third).toMatchObject({ kind: 'export', job: { id: Number(jobId) } });
    });
  });
});
