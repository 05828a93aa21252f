/** What a segment definition may be: every refusal names its field, and nothing is written. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmentDefinitions } from '../../../src/db/schema';
import { storageTargets } from '../../helpers/databases';
import { startTestServer, type TestServer } from '../../helpers/testServer';
import {
  CREATE_SEGMENT_DEFINITION,
  createDefinition,
  freshTenant,
  GET_SEGMENT_DEFINITION,
  LIST_SEGMENT_DEFINITIONS,
  UPDATE_SEGMENT_DEFINITION,
} from './segmentDefinitionApi';

const VALID = { name: 'US customers', expression: { value: 'homeAddress.countryCode = "US"' } };

describe.each(storageTargets)('segment definition input on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target);
  });
  afterAll(() => api?.close());

  /** Creates with `input` as a fresh tenant, expects a refusal and that the tenant still has no definition. */
  const refusal = async (input: Record<string, unknown>) => {
    const headers = freshTenant('INPUT');
    const response = await api.graphql(CREATE_SEGMENT_DEFINITION, { input }, headers);
    expect(response.data).toBeNull();
    const list = await api.graphql(LIST_SEGMENT_DEFINITIONS, {}, headers);
    expect(list.data!.segmentDefinitions.totalCount).toBe(0);
    return { message: response.errors?.[0]?.message ?? '', extensions: response.errors?.[0]?.extensions ?? {} };
  };

  it('refuses an expression with a syntax error, naming its line, column and token', async () => {
    const { message, extensions } = await refusal({
      ...VALID,
      expression: { value: 'homeAddress.countryCode = "US"\n  and loyalty.points >> 5' },
    });
    expect(extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'expression.value', line: 2, column: 23, token: '>' });
    expect(message).toContain('line 2, column 23');
  });

  it('refuses an expression that ends too early, at the end of the text', async () => {
    const { extensions } = await refusal({ ...VALID, expression: { value: 'loyalty.points >' } });
    expect(extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'expression.value', line: 1, column: 17, token: '' });
  });

  it('refuses a documented PQL function the evaluator does not support, naming it', async () => {
    const { message, extensions } = await refusal({
      ...VALID,
      expression: { value: 'person.favoriteColors.intersection(person.visitedColors) = ["red"]' },
    });
    expect(extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'expression.value', unsupported: 'intersection' });
    expect(message).toContain('intersection');
  });

  it('refuses an expression type other than PQL and a format other than pql/text', async () => {
    const type = await refusal({ ...VALID, expression: { type: 'SQL', value: 'true' } });
    expect(type.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'expression.type' });
    expect(type.message).toContain('PQL');
    const format = await refusal({ ...VALID, expression: { format: 'pql/json', value: 'true' } });
    expect(format.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'expression.format' });
    expect(format.message).toContain('pql/text');
  });

  it('refuses values past their limits, naming each field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...VALID, name: '' }, 'name'],
      [{ ...VALID, name: '   ' }, 'name'],
      [{ ...VALID, name: 'n'.repeat(201) }, 'name'],
      [{ ...VALID, name: 'a\u0000b' }, 'name'],
      [{ ...VALID, description: 'd'.repeat(2_001) }, 'description'],
      [{ ...VALID, expression: { value: `a = "${'x'.repeat(10_000)}"` } }, 'expression.value'],
      [{ ...VALID, expression: { value: 'a = "\u0000"' } }, 'expression.value'],
      [{ ...VALID, expression: { value: '' } }, 'expression.value'],
      [{ ...VALID, mergePolicyId: ' ' }, 'mergePolicyId'],
      [{ ...VALID, mergePolicyId: 'm'.repeat(256) }, 'mergePolicyId'],
      [{ ...VALID, schema: { name: '_xdm.context.experienceevent' } }, 'schema.name'],
    ];
    for (const [input, field] of cases) {
      const { extensions } = await refusal(input);
      expect(extensions, JSON.stringify(input).slice(0, 80)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });

  it('accepts values at their limits', async () => {
    const headers = freshTenant('INPUT');
    const created = await createDefinition(api, headers, {
      name: 'n'.repeat(200),
      description: 'd'.repeat(2_000),
      expression: { value: `a = "${'x'.repeat(10_000 - 6)}"` },
      mergePolicyId: 'm'.repeat(255),
    });
    expect(created.name).toHaveLength(200);
    expect(created.expression.value).toHaveLength(10_000);
  });

  it('refuses a bad update and leaves the definition as it was', async () => {
    const headers = freshTenant('UPDATE');
    const created = await createDefinition(api, headers, { description: 'kept' });
    const cases: [Record<string, unknown>, string][] = [
      [{ name: null }, 'name'],
      [{ expression: null }, 'expression'],
      [{ name: 'Renamed', expression: { value: 'a = = 1' } }, 'expression.value'],
      [{ description: 'changed', expression: { type: 'SQL', value: 'true' } }, 'expression.type'],
      [{ name: 'n'.repeat(201) }, 'name'],
    ];
    for (const [input, field] of cases) {
      const response = await api.graphql(UPDATE_SEGMENT_DEFINITION, { id: created.id, input }, headers);
      expect(response.errors?.[0]?.extensions, JSON.stringify(input)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const read = await api.graphql(GET_SEGMENT_DEFINITION, { id: created.id }, headers);
    expect(read.data!.segmentDefinition).toEqual(created);
  });

  it('refuses a definition past 1,000 of a tenant with LIMIT_EXCEEDED, and counts each tenant apart', async () => {
    const headers = freshTenant('LIMIT');
    const tenant = { orgId: headers['x-gw-ims-org-id']!, sandboxName: 'prod' };
    // 999 written straight into the store: only the count matters to the limit.
    await api.database.db.insert(segmentDefinitions).values(
      Array.from({ length: 999 }, (_, i) => ({
        id: randomUUID(),
        ...tenant,
        name: `Segment ${i}`,
        expressionType: 'PQL',
        expressionFormat: 'pql/text',
        expressionValue: 'true',
        mergePolicyId: 'timestampOrdered-none-mp',
        schema: { name: '_xdm.context.profile' },
      })),
    );
    await createDefinition(api, headers, { name: 'The thousandth' });
    const over = await api.graphql(CREATE_SEGMENT_DEFINITION, { input: VALID }, headers);
    expect(over.data).toBeNull();
    expect(over.errors?.[0]?.extensions).toEqual({ code: 'LIMIT_EXCEEDED', quota: 'segmentDefinitions' });
    const list = await api.graphql(LIST_SEGMENT_DEFINITIONS, { first: 0 }, headers);
    expect(list.data!.segmentDefinitions.totalCount).toBe(1_000);
    // The same organisation's other sandbox is another tenant, with a limit of its own.
    await createDefinition(api, { ...headers, 'x-sandbox-name': 'dev' });
  });
});
