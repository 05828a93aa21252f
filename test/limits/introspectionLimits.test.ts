/**
 * Introspection, which anyone may ask without a tenant: the standard query of a
 * playground is answered, while copies of the schema (aliases) and lists of
 * fields nested under fields are refused before anything runs. Thirty aliased
 * deep copies used to answer 2.35 MB, holding the process for 0.2–0.6 s.
 */
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { startTestServer, type TestServer } from '../helpers/testServer';

// Validation only: no statement runs, so one database serves.
const pglite = storageTargets.find((target) => target.name === 'pglite')!;

const DEEP_TYPE = 'name fields { name args { name type { name } } type { name ofType { name fields { name type { name ofType { name } } } } } }';

describe('introspection without a caller', () => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(pglite);
  });
  afterAll(() => api?.close());

  async function post(query: string): Promise<{ status: number; body: any; bytes: number }> {
    const response = await fetch(api.server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const text = await response.text();
    return { status: response.status, body: JSON.parse(text), bytes: text.length };
  }

  it('answers the standard introspection query of a playground, and a deep query of the schema once', async () => {
    const standard = await post(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }));
    expect(standard.status).toBe(200);
    expect(standard.body.errors).toBeUndefined();
    expect(standard.body.data.__schema.types.map((type: { name: string }) => type.name)).toContain('ExportJob');

    const once = await post(`{ __schema { types { ${DEEP_TYPE} } } }`);
    // One copy of the schema, however deep the query may go: tens of kilobytes, not megabytes.
    expect(once.bytes).toBeLessThan(standard.bytes);
    expect(once.status).toBe(200);
    expect(once.body.errors).toBeUndefined();
  });

  it.each([
    ['copies of the schema under aliases', `{ ${Array.from({ length: 30 }, (_, i) => `s${i}: __schema { types { ${DEEP_TYPE} } }`).join(' ')} }`, 'TOO_MANY_ALIASES'],
    ['one aliased copy beside the schema', `{ __schema { types { name } } copy: __schema { types { name } } }`, 'TOO_MANY_ALIASES'],
    ['aliased lists inside the schema', '{ __schema { a: types { name } b: types { name } } }', 'TOO_MANY_ALIASES'],
    ['an alias in a fragment on an introspection type', '{ __schema { ...T } } fragment T on __Schema { again: types { name } }', 'TOO_MANY_ALIASES'],
    ['aliased types', '{ a: __type(name: "ExportJob") { name } b: __type(name: "Dataset") { name } }', 'TOO_MANY_ALIASES'],
    ['copies of the subgraph SDL under aliases', `{ ${Array.from({ length: 30 }, (_, i) => `s${i}: _service { sdl }`).join(' ')} }`, 'TOO_MANY_ALIASES'],
    ['copies of the SDL inside one _service', `{ _service { ${Array.from({ length: 30 }, (_, i) => `s${i}: sdl`).join(' ')} } }`, 'TOO_MANY_ALIASES'],
    // graphql-js's own MaxIntrospectionDepthRule.
    ['fields of types of fields of types of fields', '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }', 'GRAPHQL_VALIDATION_FAILED'],
  ])('refuses %s, HTTP 400, before it runs', async (_case, query, code) => {
    const refused = await post(query);
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].extensions.code).toBe(code);
    expect(refused.body.data).toBeUndefined();
  });
});
