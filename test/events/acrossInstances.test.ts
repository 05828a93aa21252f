/** Two server processes on one PostgreSQL are one system: events travel through LISTEN/NOTIFY. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE_SCHEMA_REF } from '../fixtures/operations';
import { createPostgresDatabase } from '../helpers/databases';
import { startService, stopService, type ServiceProcess } from '../helpers/processes';
import { collect, subscriptionClient } from '../helpers/subscriptions';

const HEADERS = { 'x-gw-ims-org-id': 'ORG_ACROSS@AdobeOrg', 'x-sandbox-name': 'prod' };

describe('jobStatusChanged across server processes on PostgreSQL', () => {
  let database: { url: string; drop(): Promise<void> };
  let runningOne: ServiceProcess;
  let watchedOne: ServiceProcess;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    runningOne = await startService('serve', { DATABASE_URL: database.url, RUNNER_CHUNK_SIZE: '5', RUNNER_POLL_MS: '50' });
    watchedOne = await startService('serve', { DATABASE_URL: database.url, RUNNER_CONCURRENCY: '0' });
  });
  afterAll(async () => {
    for (const service of [runningOne, watchedOne]) if (service) await stopService(service, 'SIGKILL');
    await database?.drop();
  });

  async function graphql(url: string, query: string, variables: Record<string, unknown>): Promise<any> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...HEADERS },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  }

  it('shows a subscriber on one instance the creation and the run of a job on the other', async () => {
    const profiles = Array.from({ length: 200 }, (_, i) => ({
      profileId: `p${i}`,
      identities: [{ namespace: 'email', id: `${i}@x` }],
      updatedAt: '2026-10-01T00:00:00Z',
      segments: [{ segmentId: 'seg', segmentNs: 'ups', status: 'REALIZED', qualificationTime: '2026-10-01T00:00:00Z' }],
    }));
    await graphql(runningOne.url, 'mutation($p: [ProfileInput!]!) { ingestProfiles(profiles: $p) { upserted } }', { p: profiles });
    const { createDataset } = await graphql(
      runningOne.url,
      'mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id } }',
      { i: { name: 'd', schemaRef: PROFILE_SCHEMA_REF } },
    );

    const createJob = async (segmentId: string): Promise<string> =>
      (
        await graphql(runningOne.url, 'mutation($i: CreateExportJobInput!) { createExportJob(input: $i) { id } }', {
          i: {
            filter: { segments: [{ segmentId }] },
            destination: { datasetId: createDataset.id },
            schema: { name: '_xdm.context.profile' },
          },
        })
      ).createExportJob.id;

    let jobId = '';
    const client = subscriptionClient(watchedOne.url, HEADERS);
    const watch = collect(client, {}, (events) => events.some((event) => event.status === 'SUCCEEDED' && event.job.id === jobId));
    // Jobs of an empty segment, created until the subscriber sees one: then it is surely listening.
    while (!watch.events.some((event) => event.type === 'CREATED')) {
      await createJob('nobody');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    jobId = await createJob('seg');
    const createExportJob = { id: jobId };
    await watch.done;
    await client.dispose();

    const events = watch.events.filter((event) => event.job.id === createExportJob.id);
    expect(events[0]).toMatchObject({ type: 'CREATED', status: 'NEW' });
    expect(events.map((event) => event.type)).toContain('PROGRESS');
    expect(events.at(-1)).toMatchObject({ type: 'STATUS_CHANGED', status: 'SUCCEEDED', progress: { percent: 100 } });
    const sequences = events.map((event) => event.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
  });
});
