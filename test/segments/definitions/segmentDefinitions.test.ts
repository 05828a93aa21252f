/** Creating, reading, listing, updating and deleting segment definitions, within one tenant. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../../helpers/databases';
import { startTestServer, type GraphQLResponse, type TestServer } from '../../helpers/testServer';
import {
  createDefinition,
  DELETE_SEGMENT_DEFINITION,
  freshTenant,
  GET_SEGMENT_DEFINITION,
  LIST_SEGMENT_DEFINITIONS,
  UPDATE_SEGMENT_DEFINITION,
} from './segmentDefinitionApi';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      __typename
      ... on SegmentDefinition { id name mergePolicyId }
    }
  }
`;

describe.each(storageTargets)('segment definitions through the API on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target);
  });
  afterAll(() => api?.close());

  it('creates a definition with every default applied and reads it back by id', async () => {
    const headers = freshTenant('CRUD');
    const before = Date.now();
    const created = await createDefinition(api, headers, {
      name: 'F1 in the US',
      expression: { value: 'person.name.firstName.startsWith("F1") and homeAddress.countryCode = "US"' },
    });
    expect(created).toMatchObject({
      name: 'F1 in the US',
      description: null,
      expression: {
        type: 'PQL',
        format: 'pql/text',
        value: 'person.name.firstName.startsWith("F1") and homeAddress.countryCode = "US"',
      },
      mergePolicyId: 'timestampOrdered-none-mp',
      segmentNs: 'ups',
      schema: { name: '_xdm.context.profile' },
    });
    expect(created.id).toMatch(UUID);
    expect(Date.parse(created.creationTime)).toBeGreaterThanOrEqual(before - 1000);
    expect(created.updateTime).toBe(created.creationTime);

    const read = await api.graphql(GET_SEGMENT_DEFINITION, { id: created.id }, headers);
    expect(read.errors).toBeUndefined();
    expect(read.data!.segmentDefinition).toEqual(created);
  });

  it('keeps every field the client gives', async () => {
    const headers = freshTenant('CRUD');
    const created = await createDefinition(api, headers, {
      name: '  Loyal buyers  ',
      description: 'Bought twice this week',
      expression: {
        type: 'PQL',
        format: 'pql/text',
        value: 'xEvent[eventType = "commerce.purchases" and timestamp occurs < 7 days before now].count() >= 2',
      },
      mergePolicyId: 'custom-mp',
      schema: { name: '_xdm.context.profile' },
    });
    expect(created).toMatchObject({
      // Trimmed, as ids and keys are.
      name: 'Loyal buyers',
      description: 'Bought twice this week',
      expression: { type: 'PQL', format: 'pql/text' },
      mergePolicyId: 'custom-mp',
    });
  });

  it('updates only the fields given, moves updateTime and returns cleared fields to their defaults', async () => {
    const headers = freshTenant('CRUD');
    const created = await createDefinition(api, headers, { description: 'first', mergePolicyId: 'custom-mp' });
    await new Promise((resolve) => setTimeout(resolve, 5));

    const renamed = await api.graphql(UPDATE_SEGMENT_DEFINITION, { id: created.id, input: { name: 'Renamed' } }, headers);
    expect(renamed.errors).toBeUndefined();
    const afterRename = renamed.data!.updateSegmentDefinition;
    expect(afterRename).toMatchObject({
      id: created.id,
      name: 'Renamed',
      description: 'first',
      expression: created.expression,
      mergePolicyId: 'custom-mp',
      creationTime: created.creationTime,
    });
    expect(Date.parse(afterRename.updateTime)).toBeGreaterThan(Date.parse(created.updateTime));

    const cleared = await api.graphql(
      UPDATE_SEGMENT_DEFINITION,
      {
        id: created.id,
        input: { description: null, mergePolicyId: null, expression: { value: 'loyalty.points > 500' } },
      },
      headers,
    );
    expect(cleared.errors).toBeUndefined();
    expect(cleared.data!.updateSegmentDefinition).toMatchObject({
      name: 'Renamed',
      description: null,
      mergePolicyId: 'timestampOrdered-none-mp',
      expression: { type: 'PQL', format: 'pql/text', value: 'loyalty.points > 500' },
    });

    const read = await api.graphql(GET_SEGMENT_DEFINITION, { id: created.id }, headers);
    expect(read.data!.segmentDefinition).toEqual(cleared.data!.updateSegmentDefinition);
  });

  it('deletes a definition, after which it is absent and cannot be deleted again', async () => {
    const headers = freshTenant('CRUD');
    const created = await createDefinition(api, headers);
    const deleted = await api.graphql(DELETE_SEGMENT_DEFINITION, { id: created.id }, headers);
    expect(deleted.errors).toBeUndefined();
    expect(deleted.data!.deleteSegmentDefinition).toEqual({ deletedSegmentDefinitionId: created.id });

    const read = await api.graphql(GET_SEGMENT_DEFINITION, { id: created.id }, headers);
    expect(read.data!.segmentDefinition).toBeNull();
    const again = await api.graphql(DELETE_SEGMENT_DEFINITION, { id: created.id }, headers);
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const update = await api.graphql(UPDATE_SEGMENT_DEFINITION, { id: created.id, input: { name: 'x' } }, headers);
    expect(update.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('lists definitions newest first, page by page with cursors, with their total', async () => {
    const headers = freshTenant('LIST');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createDefinition(api, headers, { name: `Segment ${i}` })).id);
    const newestFirst = [...ids].reverse();

    const seen: string[] = [];
    let after: string | null = null;
    for (const expected of [newestFirst.slice(0, 2), newestFirst.slice(2, 4), newestFirst.slice(4)]) {
      const response: GraphQLResponse = await api.graphql(LIST_SEGMENT_DEFINITIONS, { first: 2, after }, headers);
      expect(response.errors).toBeUndefined();
      const page = response.data!.segmentDefinitions as Record<string, any>;
      expect(page.edges.map((edge: any) => edge.node.id)).toEqual(expected);
      expect(page.totalCount).toBe(5);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      expect(page.pageInfo.hasNextPage).toBe(seen.length + expected.length < 5);
      seen.push(...expected);
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(newestFirst);

    const whole = await api.graphql(LIST_SEGMENT_DEFINITIONS, {}, headers);
    expect(whole.data!.segmentDefinitions.edges.map((edge: any) => edge.node.id)).toEqual(newestFirst);
  });

  it('refuses a page size over 100 and a cursor of another list or tenant', async () => {
    const headers = freshTenant('LIST');
    await createDefinition(api, headers);
    const tooMany = await api.graphql(LIST_SEGMENT_DEFINITIONS, { first: 101 }, headers);
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });

    const page = await api.graphql(LIST_SEGMENT_DEFINITIONS, { first: 1 }, headers);
    const cursor = page.data!.segmentDefinitions.pageInfo.endCursor as string;
    const foreign = await api.graphql(LIST_SEGMENT_DEFINITIONS, { first: 1, after: cursor }, freshTenant('OTHER'));
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const jobCursor = Buffer.from('v1:job:x:1:100').toString('base64url');
    const wrongList = await api.graphql(LIST_SEGMENT_DEFINITIONS, { after: jobCursor }, headers);
    expect(wrongList.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('shows another tenant nothing: null to read, NOT_FOUND to change or delete, absent from its list', async () => {
    const owner = freshTenant('OWNER');
    const other = freshTenant('OTHER');
    const created = await createDefinition(api, owner);

    const read = await api.graphql(GET_SEGMENT_DEFINITION, { id: created.id }, other);
    expect(read.errors).toBeUndefined();
    expect(read.data!.segmentDefinition).toBeNull();
    const update = await api.graphql(UPDATE_SEGMENT_DEFINITION, { id: created.id, input: { name: 'Mine now' } }, other);
    expect(update.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const deleted = await api.graphql(DELETE_SEGMENT_DEFINITION, { id: created.id }, other);
    expect(deleted.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const list = await api.graphql(LIST_SEGMENT_DEFINITIONS, {}, other);
    expect(list.data!.segmentDefinitions).toMatchObject({ edges: [], totalCount: 0 });
    // The other sandbox of the same organisation is another tenant too.
    const sandbox = { ...owner, 'x-sandbox-name': 'dev' };
    expect((await api.graphql(GET_SEGMENT_DEFINITION, { id: created.id }, sandbox)).data!.segmentDefinition).toBeNull();

    const mine = await api.graphql(GET_SEGMENT_DEFINITION, { id: created.id }, owner);
    expect(mine.data!.segmentDefinition).toEqual(created);
  });

  it('answers null or NOT_FOUND for ids that are no lowercase UUID', async () => {
    const headers = freshTenant('IDS');
    const created = await createDefinition(api, headers);
    for (const id of ['nope', created.id.toUpperCase(), `${created.id}\u0000`, 'f'.repeat(5_000)]) {
      const read = await api.graphql(GET_SEGMENT_DEFINITION, { id }, headers);
      expect(read.errors, id).toBeUndefined();
      expect(read.data!.segmentDefinition, id).toBeNull();
      const update = await api.graphql(UPDATE_SEGMENT_DEFINITION, { id, input: { name: 'x' } }, headers);
      expect(update.errors?.[0]?.extensions?.code, id).toBe('NOT_FOUND');
      const deleted = await api.graphql(DELETE_SEGMENT_DEFINITION, { id }, headers);
      expect(deleted.errors?.[0]?.extensions?.code, id).toBe('NOT_FOUND');
    }
  });

  it("resolves a supergraph's references to definitions within the tenant, null for another's", async () => {
    const owner = freshTenant('FED');
    const other = freshTenant('FED');
    const mine = await createDefinition(api, owner, { name: 'Mine' });
    const theirs = await createDefinition(api, other, { name: 'Theirs' });
    api.resetQueries();
    const response = await api.graphql(
      ENTITIES,
      {
        representations: [
          { __typename: 'SegmentDefinition', id: mine.id },
          { __typename: 'SegmentDefinition', id: theirs.id },
          { __typename: 'SegmentDefinition', id: 'not-a-uuid' },
        ],
      },
      owner,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!._entities).toEqual([
      { __typename: 'SegmentDefinition', id: mine.id, name: 'Mine', mergePolicyId: 'timestampOrdered-none-mp' },
      null,
      null,
    ]);
    // Every reference in one statement (a per-request loader), the impossible id in none.
    expect(api.queries.filter((query) => /from "segment_definitions"/.test(query))).toHaveLength(1);
  });
});
