/**
 * Open-loop load at a fixed rate: request i is due at start + i / rate and is
 * sent then (over a pool of keep-alive connections), whether or not earlier
 * ones have answered; its latency counts from when it was due. autocannon's
 * fixed-rate mode fires every connection on the same tick, which measures
 * the bursts it makes rather than the server.
 */
import { Agent, request } from 'node:http';

export interface FixedRateOptions {
  url: string;
  /** Requests per second. */
  rate: number;
  /** How long to send for, at most. */
  durationSeconds: number;
  /** Stops sending when aborted (requests already sent are still awaited). */
  signal?: AbortSignal;
  connections: number;
  headers: Record<string, string>;
  /** The body of the i-th request. */
  body: (index: number) => string;
}

export interface FixedRateResult {
  sent: number;
  failed: number;
  /** Why they failed: `HTTP 503 SERVICE_UNAVAILABLE`, `ECONNRESET`, … with how many each. */
  failures: Record<string, number>;
  rps: number;
  p50: number;
  p99: number;
  max: number;
}

export async function fixedRateLoad(options: FixedRateOptions): Promise<FixedRateResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const total = Math.round(options.rate * options.durationSeconds);
  const interval = 1000 / options.rate;
  const latencies: number[] = [];
  let failed = 0;
  const failures: Record<string, number> = {};
  const fail = (reason: string) => {
    failed++;
    failures[reason] = (failures[reason] ?? 0) + 1;
  };
  let sent = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();

  const send = (index: number, due: number) =>
    new Promise<void>((resolve) => {
      const req = request(
        options.url,
        { method: 'POST', agent, headers: options.headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => res.statusCode !== 200 && chunks.push(chunk));
          res.on('end', () => {
            if (res.statusCode === 200) latencies.push(performance.now() - due);
            else fail(`HTTP ${res.statusCode} ${errorCodeOf(Buffer.concat(chunks).toString())}`);
            resolve();
          });
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        fail(error.code ?? error.message);
        resolve();
      });
      req.end(options.body(index));
    });

  while (sent < total && !options.signal?.aborted) {
    const now = performance.now();
    while (sent < total && start + sent * interval <= now) {
      pending.push(send(sent, start + sent * interval));
      sent++;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN);
  return { sent, failed, failures, rps: Math.round(latencies.length / elapsed), p50: at(0.5), p99: at(0.99), max: round(latencies.at(-1) ?? NaN) };
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/** The first `extensions.code` of a GraphQL answer, or what the body begins with. */
function errorCodeOf(body: string): string {
  try {
    return String((JSON.parse(body) as { errors?: { extensions?: { code?: unknown } }[] }).errors?.[0]?.extensions?.code);
  } catch {
    return JSON.stringify(body.slice(0, 80));
  }
}
