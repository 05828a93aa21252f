/** A graphql-ws client of the test server, over a real socket, that never retries. */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { TestServer } from './testServer';

export function subscriptionClient(
  server: TestServer | string,
  connectionParams: Record<string, string>,
  onClosed?: (code: number) => void,
): Client {
  const url = typeof server === 'string' ? server : server.server.url;
  return createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    shouldRetry: () => false,
    on: { closed: (event) => onClosed?.((event as { code: number }).code) },
  });
}

export const JOB_STATUS_CHANGED = /* GraphQL */ `
  subscription Watch($id: ID, $status: [ExportJobStatus!], $afterSequence: Int, $after: String) {
    jobStatusChanged(id: $id, status: $status, afterSequence: $afterSequence, after: $after) {
      id
      type
      status
      previousStatus
      sequence
      occurredAt
      progress { processedProfiles totalProfiles percent }
      job { id status sandboxName progress { percent } }
    }
  }
`;

/** Collects a subscription's events until it completes, fails, or `until` says enough. */
export function collect(
  client: Client,
  variables: Record<string, unknown>,
  until: (events: any[]) => boolean = () => false,
): { events: any[]; done: Promise<{ completed: boolean; errors?: unknown }> ; stop: () => void } {
  const events: any[] = [];
  let stop = () => {};
  const done = new Promise<{ completed: boolean; errors?: unknown }>((resolve) => {
    stop = client.subscribe(
      { query: JOB_STATUS_CHANGED, variables },
      {
        next: (result) => {
          if (result.errors) resolve({ completed: false, errors: result.errors });
          if (result.data) events.push(result.data.jobStatusChanged);
          if (until(events)) {
            stop();
            resolve({ completed: false });
          }
        },
        error: (errors) => resolve({ completed: false, errors }),
        complete: () => resolve({ completed: true }),
      },
    );
  });
  return { events, done, stop: () => stop() };
}
