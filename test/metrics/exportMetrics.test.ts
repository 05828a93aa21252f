/** /metrics after real work: an export, requests good and bad, the queue as it changes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANCEL_EXPORT_JOB } from '../fixtures/operations';
import { storageTargets } from '../helpers/databases';
import { ingest, startExport, waitForJob, type ProfileSpec } from '../helpers/exportFlow';
import { sample, scrape } from '../helpers/metrics';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { waitUntil } from '../helpers/waitUntil';

const PROFILES: ProfileSpec[] = Array.from({ length: 120 }, (_, i) => ({
  profileId: `m${String(i).padStart(4, '0')}`,
  segments: [{ segmentId: 'seg', status: 'REALIZED' }],
}));

describe.each(storageTargets)('metrics of a running gateway on $name', (target) => {
  let api: TestServer;
  let metricsUrl: string;

  beforeAll(async () => {
    api = await startTestServer(target, { concurrency: 1, chunkSize: 25 });
    metricsUrl = api.server.metricsUrl!;
  });
  afterAll(() => api?.close());

  it('counts an export: its profiles, one run, its queue wait, its end', async () => {
    await ingest(api, PROFILES);
    const { jobId } = await startExport(api, { filter: { segments: [{ segmentId: 'seg' }] } });
    const job = await waitForJob(api, jobId);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.metrics.totalExportedProfileCounter).toBe(PROFILES.length);
    // The runner records a run once it has ended, just after the job's last write.
    let text = '';
    await waitUntil(async () => {
      text = await scrape(metricsUrl);
      return sample(text, 'gateway_export_jobs_finished_total', { status: 'SUCCEEDED' }) === 1;
    });
    expect(sample(text, 'gateway_exported_profiles_total')).toBe(PROFILES.length);
    expect(sample(text, 'gateway_export_profiles_read_total')).toBe(PROFILES.length);
    expect(sample(text, 'gateway_export_run_duration_seconds_count', { outcome: 'succeeded' })).toBe(1);
    expect(sample(text, 'gateway_export_run_duration_seconds_count')).toBe(1);
    expect(sample(text, 'gateway_export_queue_wait_seconds_count')).toBe(1);
    expect(sample(text, 'gateway_runner_jobs_reclaimed_total')).toBe(0);
    expect(sample(text, 'gateway_runner_leases_lost_total')).toBe(0);
    expect(sample(text, 'gateway_runner_slots', { state: 'busy' })).toBe(0);
    expect(sample(text, 'gateway_runner_slots', { state: 'free' })).toBe(1);
    // The job's events came over LISTEN/NOTIFY: created, processing, progress, succeeded.
    expect(sample(text, 'gateway_event_notifications_total')).toBeGreaterThanOrEqual(3);
  });

  it('times requests by operation name and outcome', async () => {
    const text = await scrape(metricsUrl);
    const count = (operation: string) =>
      sample(text, 'gateway_graphql_request_duration_seconds_count', { operation, outcome: 'ok' });
    // The operations of test/helpers/exportFlow.ts, by their names.
    expect(count('Ingest')).toBe(1);
    expect(count('CreateDataset')).toBe(1);
    expect(count('CreateExportJob')).toBe(1);
    expect(count('GetExportJob')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'gateway_graphql_request_duration_seconds_bucket', { operation: 'Ingest', le: '+Inf' })).toBe(1);
  });

  it('counts errors by code, those refused before execution too', async () => {
    const before = await scrape(metricsUrl);
    const invalid = await api.graphql('query Broken { noSuchField }');
    expect(invalid.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const tooMany = await fetch(api.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gw-ims-org-id': 'ORG_A@AdobeOrg' },
      body: JSON.stringify(Array.from({ length: 11 }, () => ({ query: '{ __typename }' }))),
    });
    expect(tooMany.status).toBe(400);
    const after = await scrape(metricsUrl);
    const errors = (text: string, code: string) => sample(text, 'gateway_graphql_errors_total', { code }) ?? 0;
    expect(errors(after, 'GRAPHQL_VALIDATION_FAILED') - errors(before, 'GRAPHQL_VALIDATION_FAILED')).toBe(1);
    expect(errors(after, 'TOO_MANY_OPERATIONS') - errors(before, 'TOO_MANY_OPERATIONS')).toBe(1);
    // Invalid, it never got as far as choosing its operation.
    expect(sample(after, 'gateway_graphql_request_duration_seconds_count', { operation: 'unknown', outcome: 'client_error' })).toBeGreaterThanOrEqual(1);
  });
});

describe.each(storageTargets)('the queue gauges on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target); // no runner: jobs stay NEW
  });
  afterAll(() => api?.close());

  it('show queued jobs from one statement per five seconds, and a change once the window has passed', async () => {
    const { jobId } = await startExport(api, {});
    api.resetQueries();
    const first = await scrape(api.server.metricsUrl!);
    expect(sample(first, 'gateway_export_jobs', { status: 'NEW' })).toBe(1);
    expect(sample(first, 'gateway_export_jobs', { status: 'PROCESSING' })).toBe(0);
    expect(sample(first, 'gateway_export_queue_oldest_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(first, 'gateway_export_jobs_lease_expired')).toBe(0);
    expect(sample(first, 'gateway_export_job_parts', { status: 'PENDING' })).toBe(0);
    expect(sample(first, 'gateway_export_job_parts', { status: 'RUNNING' })).toBe(0);

    expect((await api.graphql(CANCEL_EXPORT_JOB, { id: jobId })).errors).toBeUndefined();
    // Within the window: the same snapshot, and no second statement.
    const cached = await scrape(api.server.metricsUrl!);
    expect(sample(cached, 'gateway_export_jobs', { status: 'NEW' })).toBe(1);
    expect(api.queries.filter((query) => query.includes('group by status'))).toHaveLength(1);

    await waitUntil(async () => sample(await scrape(api.server.metricsUrl!), 'gateway_export_jobs', { status: 'NEW' }) === 0, 10_000);
  });
});
