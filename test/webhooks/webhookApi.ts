/** GraphQL operations and small steps shared by the webhook tests. */
import { expect } from 'vitest';
import type { TestServer } from '../helpers/testServer';

export const WEBHOOK_FIELDS = /* GraphQL */ `
  id url events statuses description enabled disabledReason failingSince createdAt
`;

export const CREATE_WEBHOOK = /* GraphQL */ `
  mutation CreateWebhook($input: CreateWebhookInput!) {
    createWebhook(input: $input) { secret webhook { ${WEBHOOK_FIELDS} } }
  }
`;

export const ROTATE_WEBHOOK_SECRET = /* GraphQL */ `
  mutation Rotate($id: ID!) {
    rotateWebhookSecret(id: $id) { secret webhook { id } }
  }
`;

export const DELETE_WEBHOOK = /* GraphQL */ `
  mutation Delete($id: ID!) {
    deleteWebhook(id: $id) { deletedWebhookId }
  }
`;

export const GET_WEBHOOK = /* GraphQL */ `
  query Webhook($id: ID!) {
    webhook(id: $id) { ${WEBHOOK_FIELDS} }
  }
`;

export const LIST_WEBHOOKS = /* GraphQL */ `
  query Webhooks($first: Int, $after: String) {
    webhooks(first: $first, after: $after) {
      edges { cursor node { id url } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;

export const WEBHOOK_DELIVERIES = /* GraphQL */ `
  query Deliveries($id: ID!, $first: Int, $after: String) {
    webhook(id: $id) {
      deliveries(first: $first, after: $after) {
        edges { cursor node { eventId attempt attemptedAt httpStatus durationMs error succeeded } }
        pageInfo { hasNextPage hasPreviousPage endCursor }
      }
    }
  }
`;

export const JOB_EVENTS = /* GraphQL */ `
  query JobEvents($jobId: ID) {
    jobEvents(jobId: $jobId, first: 100) {
      edges { node { id type sequence status previousStatus occurredAt progress { processedProfiles totalProfiles percent } } }
    }
  }
`;

export interface CreatedWebhook {
  id: string;
  secret: string;
}

/** Creates a webhook (failing the test on an error) and returns its id and secret. */
export async function createWebhook(
  api: TestServer,
  input: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<CreatedWebhook> {
  const response = await api.graphql(CREATE_WEBHOOK, { input }, headers);
  expect(response.errors).toBeUndefined();
  const { secret, webhook } = response.data!.createWebhook;
  return { id: webhook.id, secret };
}

/** Every delivery of a webhook, newest first (up to 100). */
export async function deliveriesOf(
  api: TestServer,
  id: string,
  headers: Record<string, string>,
): Promise<Record<string, any>[]> {
  const response = await api.graphql(WEBHOOK_DELIVERIES, { id, first: 100 }, headers);
  expect(response.errors).toBeUndefined();
  return response.data!.webhook.deliveries.edges.map((edge: { node: Record<string, any> }) => edge.node);
}

/** The stored events of a job, oldest first, as `jobEvents` lists them. */
export async function storedEventsOf(
  api: TestServer,
  jobId: string,
  headers: Record<string, string>,
): Promise<Record<string, any>[]> {
  const response = await api.graphql(JOB_EVENTS, { jobId }, headers);
  expect(response.errors).toBeUndefined();
  return response.data!.jobEvents.edges.map((edge: { node: Record<string, any> }) => edge.node);
}

/** Polls an asynchronous condition until it holds, failing after `timeoutMs`. */
export async function eventually(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('Timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let tenants = 0;
/** A tenant of its own per test: a webhook is sent every event of its tenant. */
export function freshTenant(prefix: string): Record<string, string> {
  return { 'x-gw-ims-org-id': `ORG_${prefix}_${++tenants}@AdobeOrg`, 'x-sandbox-name': 'prod' };
}
