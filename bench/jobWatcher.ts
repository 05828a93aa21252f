/**
 * One job watched as a frontend watches it: `jobStatusChanged(id:)` over
 * graphql-ws, spoken by hand (as bench/subscriptions.ts does), each event
 * stamped with when it arrived.
 */
import { once } from 'node:events';
import WebSocket from 'ws';

export interface JobEvent {
  type: string;
  status: string;
  progress: { processedProfiles: number };
}

export interface JobWatcher {
  /**
   * Resolves with the first event, seen already or to come, that `matches`, and
   * when it arrived (performance.now()); rejects if the subscription ends first
   * or after `timeoutMs`.
   */
  next(matches: (event: JobEvent) => boolean, timeoutMs: number): Promise<{ event: JobEvent; at: number }>;
  close(): Promise<void>;
}

const WATCH = /* GraphQL */ `subscription Watch($id: ID!) {
  jobStatusChanged(id: $id) { type status progress { processedProfiles } }
}`;

export async function watchJob(url: string, connectionParams: Record<string, string>, id: string): Promise<JobWatcher> {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const seen: { event: JobEvent; at: number }[] = [];
  const waiting = new Set<{ matches: (event: JobEvent) => boolean; resolve: (seen: { event: JobEvent; at: number }) => void; reject: (error: Error) => void }>();
  let ended: Error | undefined;
  const end = (error: Error) => {
    ended ??= error;
    for (const waiter of waiting) waiter.reject(ended);
    waiting.clear();
  };

  await once(socket, 'open');
  socket.send(JSON.stringify({ type: 'connection_init', payload: connectionParams }));
  await new Promise<void>((resolve, reject) => {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; payload?: unknown };
      if (message.type === 'connection_ack') return resolve();
      if (message.type === 'next') {
        const event = (message.payload as { data: { jobStatusChanged: JobEvent } }).data.jobStatusChanged;
        const arrived = { event, at: performance.now() };
        seen.push(arrived);
        for (const waiter of waiting) {
          if (!waiter.matches(event)) continue;
          waiting.delete(waiter);
          waiter.resolve(arrived);
        }
      } else if (message.type === 'error') end(new Error(`The subscription failed: ${JSON.stringify(message.payload)}`));
      else if (message.type === 'complete') end(new Error('The subscription completed'));
    });
    socket.once('close', (code) => {
      reject(new Error(`The socket closed with ${code} before its connection_ack`));
      end(new Error(`The socket closed with ${code}`));
    });
  });
  socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: WATCH, variables: { id } } }));

  return {
    next(matches, timeoutMs) {
      const found = seen.find(({ event }) => matches(event));
      if (found) return Promise.resolve(found);
      if (ended) return Promise.reject(ended);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(waiter);
          reject(new Error(`No such event of job ${id} within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = {
          matches,
          resolve: (arrived: { event: JobEvent; at: number }) => (clearTimeout(timer), resolve(arrived)),
          reject: (error: Error) => (clearTimeout(timer), reject(error)),
        };
        waiting.add(waiter);
      });
    },
    async close() {
      if (socket.readyState === WebSocket.CLOSED) return;
      const closed = once(socket, 'close');
      socket.close();
      await closed;
    },
  };
}
