import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from './helpers/databases';
import { createDataset } from './helpers/seedApi';
import { startTestServer, type TestServer } from './helpers/testServer';

const DATASETS = /* GraphQL */ `
  query {
    datasets {
      edges { node { id } }
    }
  }
`;

describe.each(storageTargets)('error reporting on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target);
    await createDataset(api);
  });
  afterAll(() => api?.close());

  it('passes GraphQL validation errors through with their code', async () => {
    const response = await api.graphql('{ exportJobs { nope } }');
    expect(response.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.errors![0]!.message).toMatch(/nope/);
  });

  it('masks an unexpected failure for the client and logs it whole', async () => {
    // Breaks storage under the running server: the resulting driver error must not reach clients.
    await api.database.db.execute(sql`alter table datasets rename to datasets_moved_away`);
    const response = await api.graphql(DATASETS);
    expect(response.data).toBeNull();
    expect(response.errors).toEqual([
      {
        message: 'Internal server error',
        path: ['datasets'],
        locations: [{ line: 3, column: 5 }],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      },
    ]);
    const logged = api.logs.map((line) => JSON.parse(line)).find((entry) => entry.level === 'error');
    expect(logged?.message).toBe('Unexpected error');
    expect(logged?.error).toMatch(/datasets/);
    expect(logged?.error).toMatch(/\n\s+at /);
  });
});
