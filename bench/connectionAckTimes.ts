/**
 * How long a new graphql-ws socket waits for its `connection_ack`: sockets
 * opened one after another, each speaking graphql-transport-ws by hand (as
 * bench/subscriptions.ts does, so that no client library's work is timed).
 */
import { once } from 'node:events';
import WebSocket from 'ws';

export interface ConnectionAck {
  /** From sending `connection_init` to receiving `connection_ack`. */
  ms: number;
  /** When the ack arrived (Date.now()), to compare with a job's end. */
  ackedAt: number;
}

/** Opens `count` sockets to `url` in turn, `gapMs` apart, each closed once acknowledged. */
export async function connectionAckTimes(
  url: string,
  connectionParams: Record<string, string>,
  count: number,
  gapMs: number,
): Promise<ConnectionAck[]> {
  const acks: ConnectionAck[] = [];
  for (let i = 0; i < count; i++) {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    try {
      await once(socket, 'open');
      const sentAt = performance.now();
      socket.send(JSON.stringify({ type: 'connection_init', payload: connectionParams }));
      await new Promise<void>((resolve, reject) => {
        socket.on('message', (data) => {
          if ((JSON.parse(String(data)) as { type: string }).type === 'connection_ack') resolve();
        });
        socket.once('close', (code) => reject(new Error(`The socket closed with ${code} before its connection_ack`)));
      });
      acks.push({ ms: performance.now() - sentAt, ackedAt: Date.now() });
    } finally {
      const closed = once(socket, 'close');
      socket.close();
      await closed;
    }
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  return acks;
}

/** p50, p99 and max of `values`, rounded to 0.01. */
export function percentiles(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN);
  return { p50: at(0.5), p99: at(0.99), max: round(sorted.at(-1) ?? NaN) };
}

const round = (ms: number) => Math.round(ms * 100) / 100;
