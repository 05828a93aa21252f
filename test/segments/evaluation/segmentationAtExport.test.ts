/**
 * Exports with `evaluationInfo.segmentation: true`: the runner evaluates the
 * filter's segments from their definitions before it exports, so the export
 * reads fresh memberships; a segment without a definition fails the job before
 * anything is written; a cancel during the evaluation ends the job.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batches, segmentMemberships } from '../../../src/db/schema';
import { seedProfiles } from '../../../src/profiles/seedProfiles';
import { storageTargets } from '../../helpers/databases';
import { sample, scrape } from '../../helpers/metrics';
import { exportedIds, ingest, startExport, waitForJob, type ProfileSpec } from '../../helpers/exportFlow';
import { startTestServer, type TestServer } from '../../helpers/testServer';
import { waitUntil } from '../../helpers/waitUntil';
import { createDefinition, freshTenant } from '../definitions/segmentDefinitionApi';

const EXPRESSION = 'person.name.firstName.startsWith("F1") and homeAddress.countryCode = "US"';

const PREVIEW = /* GraphQL */ `
  query Preview($expression: String!) { previewSegment(expression: $expression) { matchingProfiles totalProfiles } }
`;
const SEGMENTATION = /* GraphQL */ `
  query Segmentation($id: ID!) {
    exportJob(id: $id) {
      status
      errors { code msg }
      destination { batchId }
      evaluationInfo { segmentation }
      metrics { segmentationTime { startTime endTime } segmentedProfileCounter }
    }
  }
`;
const JOB_EVENTS = /* GraphQL */ `
  query Events($jobId: ID) { jobEvents(jobId: $jobId, first: 100) { edges { node { type sequence occurredAt progress { processedProfiles percent } } } } }
`;
const CANCEL = /* GraphQL */ `mutation Cancel($id: ID!) { cancelExportJob(id: $id) { status } }`;

/** Profiles whose first name and country decide whether they match EXPRESSION. */
function person(profileId: string, firstName: string, countryCode: string): ProfileSpec {
  return { profileId, attributes: { person: { name: { firstName } }, homeAddress: { countryCode } } };
}

describe.each(storageTargets)('exports that evaluate their segments on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    // Chunks of up to 2,000 profiles: the tests time the evaluation, and the export of tens of thousands after it need not crawl.
    api = await startTestServer(target, { concurrency: 2, chunkSize: 2_000 });
  });
  afterAll(() => api?.close());

  const segmentationOf = async (jobId: string, headers: Record<string, string>) =>
    (await api.graphql(SEGMENTATION, { id: jobId }, headers)).data!.exportJob as Record<string, any>;

  /**
   * A fresh tenant with `profiles` seeded profiles and three definitions (US, DE, FR
   * customers), and an export of the three that evaluates them first.
   */
  const startCountriesExport = async (profiles: number) => {
    const headers = freshTenant('SEGX');
    const tenant = { orgId: headers['x-gw-ims-org-id']!, sandboxName: headers['x-sandbox-name']! };
    await seedProfiles(api.database, tenant, profiles);
    const definitions = await Promise.all(
      ['US', 'DE', 'FR'].map((country) =>
        createDefinition(api, headers, { name: country, expression: { value: `homeAddress.countryCode = "${country}"` } }),
      ),
    );
    const { jobId } = await startExport(
      api,
      {
        filter: { segments: definitions.map((definition) => ({ segmentId: definition.id })) },
        evaluationInfo: { segmentation: true },
      },
      headers,
    );
    return { headers, jobId };
  };

  it('evaluates the saved segment before exporting it, and a later export of EXITED gets exactly the profiles that left', async () => {
    const headers = freshTenant('SEGX');
    await ingest(
      api,
      [
        person('p1', 'F1ona', 'US'),
        person('p2', 'F10', 'US'),
        person('p3', 'F1rst', 'DE'),
        person('p4', 'Gus', 'US'),
        person('p5', 'F12', 'US'),
      ],
      headers,
    );
    // Previewed, then saved: nothing is evaluated yet, no membership exists.
    const preview = await api.graphql(PREVIEW, { expression: EXPRESSION }, headers);
    expect(preview.data!.previewSegment).toEqual({ matchingProfiles: 3, totalProfiles: 5 });
    const definition = await createDefinition(api, headers, { name: 'F1 in the US', expression: { value: EXPRESSION } });
    const segmentedBefore = sample(await scrape(api.server.metricsUrl!), 'gateway_export_profiles_segmented_total') ?? 0;

    const first = await startExport(
      api,
      { filter: { segments: [{ segmentId: definition.id }] }, evaluationInfo: { segmentation: true } },
      headers,
    );
    const firstJob = await waitForJob(api, first.jobId, undefined, headers);
    expect(firstJob.status).toBe('SUCCEEDED');
    expect(await exportedIds(api, firstJob.destination.batchId)).toEqual(['p1', 'p2', 'p5']);
    const firstSegmentation = await segmentationOf(first.jobId, headers);
    expect(firstSegmentation.metrics.segmentedProfileCounter).toBe(5);
    const { startTime, endTime } = firstSegmentation.metrics.segmentationTime;
    expect(Date.parse(endTime)).toBeGreaterThanOrEqual(Date.parse(startTime));
    // The counter grew by this job's profiles (whatever tests ran before on this server).
    expect((sample(await scrape(api.server.metricsUrl!), 'gateway_export_profiles_segmented_total') ?? 0) - segmentedBefore).toBe(5);

    // Two leave (p2 changes its name, p5 moves), one enters (p4).
    await ingest(api, [person('p2', 'Gio', 'US'), person('p4', 'F1nn', 'US'), person('p5', 'F12', 'FR')], headers);
    const second = await startExport(
      api,
      {
        filter: { segments: [{ segmentId: definition.id, status: ['EXITED'] }] },
        evaluationInfo: { segmentation: true },
      },
      headers,
    );
    const secondJob = await waitForJob(api, second.jobId, undefined, headers);
    expect(secondJob.status).toBe('SUCCEEDED');
    expect(await exportedIds(api, secondJob.destination.batchId)).toEqual(['p2', 'p5']);

    // The memberships as the rules say: p1 kept its first qualification, p4 realized at the second evaluation.
    const memberships = await api.database.db
      .select()
      .from(segmentMemberships)
      .where(eq(segmentMemberships.segmentId, definition.id));
    const secondAt = (await segmentationOf(second.jobId, headers)).metrics.segmentationTime.startTime;
    const byProfile = Object.fromEntries(
      memberships.map((row) => [row.profileId, [row.status, row.qualificationTime?.toISOString()]]),
    );
    expect(byProfile).toEqual({
      p1: ['EXISTING', new Date(startTime).toISOString()],
      p2: ['EXITED', new Date(secondAt).toISOString()],
      p4: ['REALIZED', new Date(secondAt).toISOString()],
      p5: ['EXITED', new Date(secondAt).toISOString()],
    });
  });

  it('exports the stored memberships as they are without segmentation', async () => {
    const headers = freshTenant('SEGX');
    await ingest(api, [person('p1', 'F1ona', 'US')], headers);
    const definition = await createDefinition(api, headers, { expression: { value: EXPRESSION } });
    const { jobId } = await startExport(api, { filter: { segments: [{ segmentId: definition.id }] } }, headers);
    const job = await waitForJob(api, jobId, undefined, headers);
    expect(job.status).toBe('SUCCEEDED');
    // Never evaluated: no member yet.
    expect(await exportedIds(api, job.destination.batchId)).toEqual([]);
    const segmentation = await segmentationOf(jobId, headers);
    expect(segmentation.metrics).toEqual({ segmentationTime: { startTime: null, endTime: null }, segmentedProfileCounter: 0 });
  });

  it('fails a job with SEGMENT_NOT_DEFINED, before writing anything, when a segment of its filter has no definition', async () => {
    const headers = freshTenant('SEGX');
    await ingest(api, [person('p1', 'F1ona', 'US')], headers);
    const definition = await createDefinition(api, headers, { expression: { value: EXPRESSION } });
    const { jobId } = await startExport(
      api,
      {
        filter: { segments: [{ segmentId: definition.id }, { segmentId: 'adhoc-segment' }] },
        evaluationInfo: { segmentation: true },
      },
      headers,
    );
    const job = await waitForJob(api, jobId, undefined, headers);
    expect(job.status).toBe('FAILED');
    expect(job.errors).toEqual([expect.objectContaining({ code: 'SEGMENT_NOT_DEFINED', msg: expect.stringContaining('adhoc-segment') })]);
    // Nothing evaluated, no batch made.
    const memberships = await api.database.db
      .select()
      .from(segmentMemberships)
      .where(eq(segmentMemberships.segmentId, definition.id));
    expect(memberships).toEqual([]);
    expect(await api.database.db.select().from(batches).where(eq(batches.jobId, Number(jobId)))).toEqual([]);
  });

  it('sends PROGRESS events while it evaluates, before the export reads any profile', async () => {
    const { headers, jobId } = await startCountriesExport(40_000);
    const job = await waitForJob(api, jobId, undefined, headers, 60_000);
    expect(job.status).toBe('SUCCEEDED');
    const { segmentationTime, segmentedProfileCounter } = (await segmentationOf(jobId, headers)).metrics;
    expect(segmentedProfileCounter).toBe(3 * 40_000);
    const events = (await api.graphql(JOB_EVENTS, { jobId }, headers)).data!.jobEvents.edges.map((edge: any) => edge.node);
    // Stored events of the evaluation: progress, while no profile was exported yet (at most one every 250 ms).
    const duringSegmentation = events.filter(
      (event: any) =>
        event.type === 'PROGRESS' &&
        Date.parse(event.occurredAt) <= Date.parse(segmentationTime.endTime) &&
        event.progress.processedProfiles === 0,
    );
    expect(duringSegmentation.length, JSON.stringify(events)).toBeGreaterThanOrEqual(1);
    // At most one every 250 ms (occurredAt is cut to the millisecond).
    const times = duringSegmentation.map((event: any) => Date.parse(event.occurredAt));
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(249);
    // percent covers both phases: the evaluation is its first half (once the profiles are
    // counted beside it), the export its second; it never goes back.
    for (const event of duringSegmentation) expect(event.progress.percent).toBeLessThanOrEqual(50);
    expect(duringSegmentation.at(-1).progress.percent, JSON.stringify(duringSegmentation)).toBeGreaterThan(0);
    const exporting = events.filter((event: any) => event.progress.processedProfiles > 0);
    for (const event of exporting) expect(event.progress.percent).toBeGreaterThanOrEqual(50);
    const percents = [...events].sort((a: any, b: any) => a.sequence - b.sequence).map((event: any) => event.progress.percent);
    expect(percents, JSON.stringify(percents)).toEqual([...percents].sort((a, b) => a - b));
    expect(percents.at(-1)).toBe(100);
    expect(job.progress.percent).toBe(100);
  }, 60_000);

  it('ends CANCELLED when cancelled during the evaluation, without exporting', async () => {
    // Three segments to evaluate: long enough to be cancelled in the middle.
    const { headers, jobId } = await startCountriesExport(60_000);
    // Cancelled once the evaluation has written its first chunk.
    await waitUntil(async () => (await segmentationOf(jobId, headers)).metrics.segmentedProfileCounter > 0, 20_000);
    const cancel = await api.graphql(CANCEL, { id: jobId }, headers);
    expect(cancel.errors).toBeUndefined();
    const job = await waitForJob(api, jobId, undefined, headers);
    expect(job.status).toBe('CANCELLED');
    const segmentation = await segmentationOf(jobId, headers);
    // Ended in the evaluation, part way, when the job did; no batch was made.
    expect(segmentation.metrics.segmentationTime.endTime).not.toBeNull();
    expect(segmentation.metrics.segmentedProfileCounter).toBeLessThan(3 * 60_000);
    expect(await api.database.db.select().from(batches).where(eq(batches.jobId, Number(jobId)))).toEqual([]);
  }, 60_000);

  it('waits while another evaluation holds a segment of its filter: a cancel meanwhile ends it, a release lets the next one run', async () => {
    const headers = freshTenant('SEGX');
    await ingest(api, [person('p1', 'F1ona', 'US'), person('p2', 'Gus', 'US')], headers);
    const definition = await createDefinition(api, headers, { expression: { value: EXPRESSION } });
    const db = api.database.db;
    // A segment job evaluates it for another minute.
    await db.execute(
      sql`update segment_definitions set evaluating_by = 'segment-job:elsewhere', evaluating_until = now() + interval '1 minute' where id = ${definition.id}`,
    );
    const input = { filter: { segments: [{ segmentId: definition.id }] }, evaluationInfo: { segmentation: true } };
    const waiting = await startExport(api, input, headers);
    await waitForJob(api, waiting.jobId, ['PROCESSING'], headers);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await segmentationOf(waiting.jobId, headers)).metrics.segmentedProfileCounter).toBe(0);
    expect((await api.graphql(CANCEL, { id: waiting.jobId }, headers)).errors).toBeUndefined();
    expect((await waitForJob(api, waiting.jobId, undefined, headers)).status).toBe('CANCELLED');

    await db.execute(sql`update segment_definitions set evaluating_by = null, evaluating_until = null where id = ${definition.id}`);
    const next = await startExport(api, input, headers);
    const job = await waitForJob(api, next.jobId, undefined, headers);
    expect(job.status).toBe('SUCCEEDED');
    expect(await exportedIds(api, job.destination.batchId)).toEqual(['p1']);
  }, 30_000);
});
