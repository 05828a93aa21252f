/**
 * A PostgreSQL database with the API serving it in a process of its own and
 * runners coming and going in others: the scaffolding of the tests of runner
 * processes. Registers its own hooks; each test's runners are SIGKILLed after it.
 */
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { PROFILE_SCHEMA_REF } from '../fixtures/operations';
import { createPostgresDatabase } from './databases';
import { startService, stopService, type ServiceProcess } from './processes';

export interface RunnerCluster {
  readonly url: string;
  /** A client of the database, for reading what the runners did. */
  readonly sql: postgres.Sql;
  /** Runners started by a test; stopped after it. */
  readonly services: ServiceProcess[];
  /** A GraphQL call to the API as `org`; throws on errors. */
  graphql(query: string, variables: Record<string, unknown>, org: string): Promise<any>;
  /** Creates a dataset of `org` and an export job into it (`input` beside its destination); returns the job's id. */
  createJob(org: string, input: { fields: string; filter: unknown; destination?: Record<string, unknown> }): Promise<number>;
}

export function useRunnerCluster(): RunnerCluster {
  let database: { url: string; drop(): Promise<void> };
  let sql: postgres.Sql;
  let api: ServiceProcess;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    database = await createPostgresDatabase();
    // The API alone: runners come and go in other processes.
    api = await startService('serve', { DATABASE_URL: database.url, RUNNER_CONCURRENCY: '0' });
    sql = postgres(database.url, { max: 4, onnotice: () => {} });
  });
  // Each test's runners go with it, so that none of them takes the next test's jobs.
  afterEach(async () => {
    for (const service of services.splice(0)) await stopService(service, 'SIGKILL');
  });
  afterAll(async () => {
    if (api) await stopService(api, 'SIGKILL');
    await sql?.end();
    await database?.drop();
  });

  const graphql: RunnerCluster['graphql'] = async (query, variables, org) => {
    const response = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gw-ims-org-id': org },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };

  return {
    get url() {
      return database.url;
    },
    get sql() {
      return sql;
    },
    services,
    graphql,
    async createJob(org, { destination, ...input }) {
      const { createDataset } = await graphql(
        'mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id } }',
        { i: { name: 'export', schemaRef: PROFILE_SCHEMA_REF } },
        org,
      );
      const { createExportJob } = await graphql(
        'mutation($i: CreateExportJobInput!) { createExportJob(input: $i) { id } }',
        { i: { ...input, destination: { datasetId: createDataset.id, ...destination }, schema: { name: '_xdm.context.profile' } } },
        org,
      );
      return Number(createExportJob.id);
    },
  };
}

/** Polls `probe` until it answers something, failing after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('Timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
