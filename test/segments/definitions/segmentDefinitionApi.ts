/** GraphQL documents and small steps of the segment definition tests. */
import { expect } from 'vitest';
import type { TestServer } from '../../helpers/testServer';

export const SEGMENT_DEFINITION_FIELDS = /* GraphQL */ `
  fragment SegmentDefinitionFields on SegmentDefinition {
    id
    name
    description
    expression { type format value }
    mergePolicyId
    segmentNs
    schema { name }
    creationTime
    updateTime
  }
`;

export const CREATE_SEGMENT_DEFINITION = /* GraphQL */ `
  mutation CreateSegmentDefinition($input: CreateSegmentDefinitionInput!) {
    createSegmentDefinition(input: $input) { ...SegmentDefinitionFields }
  }
  ${SEGMENT_DEFINITION_FIELDS}
`;

export const UPDATE_SEGMENT_DEFINITION = /* GraphQL */ `
  mutation UpdateSegmentDefinition($id: ID!, $input: UpdateSegmentDefinitionInput!) {
    updateSegmentDefinition(id: $id, input: $input) { ...SegmentDefinitionFields }
  }
  ${SEGMENT_DEFINITION_FIELDS}
`;

export const DELETE_SEGMENT_DEFINITION = /* GraphQL */ `
  mutation DeleteSegmentDefinition($id: ID!) {
    deleteSegmentDefinition(id: $id) { deletedSegmentDefinitionId }
  }
`;

export const GET_SEGMENT_DEFINITION = /* GraphQL */ `
  query GetSegmentDefinition($id: ID!) {
    segmentDefinition(id: $id) { ...SegmentDefinitionFields }
  }
  ${SEGMENT_DEFINITION_FIELDS}
`;

export const LIST_SEGMENT_DEFINITIONS = /* GraphQL */ `
  query ListSegmentDefinitions($first: Int, $after: String) {
    segmentDefinitions(first: $first, after: $after) {
      edges { cursor node { id name } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      totalCount
    }
  }
`;

export const PREVIEW_SEGMENT = /* GraphQL */ `
  query PreviewSegment($expression: String!, $first: Int) {
    previewSegment(expression: $expression) {
      matchingProfiles
      totalProfiles
      sample(first: $first)
    }
  }
`;

let tenants = 0;

/** A tenant no other test of the file uses. */
export function freshTenant(prefix: string): Record<string, string> {
  return { 'x-gw-ims-org-id': `ORG_SEG_${prefix}_${++tenants}@AdobeOrg`, 'x-sandbox-name': 'prod' };
}

/** Creates a definition (`input` merged over a small valid one) and returns it. */
export async function createDefinition(
  api: TestServer,
  headers: Record<string, string>,
  input: Record<string, unknown> = {},
): Promise<Record<string, any>> {
  const response = await api.graphql(
    CREATE_SEGMENT_DEFINITION,
    { input: { name: 'US customers', expression: { value: 'homeAddress.countryCode = "US"' }, ...input } },
    headers,
  );
  expect(response.errors).toBeUndefined();
  return response.data!.createSegmentDefinition as Record<string, any>;
}
