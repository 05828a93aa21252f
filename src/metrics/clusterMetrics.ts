/**
 * Metrics across the server processes (SERVER_PROCESSES, node:cluster). Prometheus scrapes one
 * address, and the main port reaches one worker at random, so a worker's own
 * figures would be a random share. Only the primary can ask every worker
 * (prom-client's AggregatorRegistry, over the cluster's IPC channel), so every
 * scrape is answered with the primary's aggregate:
 * - with METRICS_PORT, the primary itself listens on it;
 * - without, the worker that gets `/metrics` on the main port asks the primary
 *   for the aggregate and answers with it.
 * Counters and histograms are summed; gauges are summed unless they say
 * otherwise (`stateGauges.ts`).
 */
import cluster from 'node:cluster';
import { AggregatorRegistry, Registry } from 'prom-client';
import type { MetricsSource } from './metricsSource';

const REQUEST = 'gateway:cluster-metrics-request';
const RESPONSE = 'gateway:cluster-metrics-response';

// prom-client gives up on a worker after 5 s; the worker's request waits a little longer.
const WORKER_REQUEST_TIMEOUT_MS = 6_000;

interface ClusterMetricsRequest {
  type: typeof REQUEST;
  id: number;
}

interface ClusterMetricsResponse {
  type: typeof RESPONSE;
  id: number;
  text?: string;
  error?: string;
}

/** In the primary: the aggregate of every worker, which it also sends to workers that ask for it. */
export function aggregateWorkerMetrics(): MetricsSource {
  const aggregator = new AggregatorRegistry();
  const source: MetricsSource = { contentType: aggregator.contentType, text: () => aggregator.clusterMetrics() };
  cluster.on('message', (worker, message: Partial<ClusterMetricsRequest>) => {
    if (message?.type !== REQUEST || typeof message.id !== 'number') return;
    const { id } = message;
    const reply = (response: Omit<ClusterMetricsResponse, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: RESPONSE, id, ...response } satisfies ClusterMetricsResponse);
    };
    source.text().then(
      (text) => reply({ text }),
      (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }),
    );
  });
  return source;
}

/** In a worker: offers `registries` to the primary's aggregation, and answers scrapes with the aggregate. */
export function workerMetrics(registries: Registry[]): MetricsSource {
  // Constructed for its side effect: in a worker, it answers the primary's requests for metrics.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries(registries);
  const waiting = new Map<number, { resolve(text: string): void; reject(error: Error): void }>();
  let nextId = 1;
  process.on('message', (message: Partial<ClusterMetricsResponse>) => {
    if (message?.type !== RESPONSE || typeof message.id !== 'number') return;
    const request = waiting.get(message.id);
    if (!request) return;
    waiting.delete(message.id);
    if (typeof message.text === 'string') request.resolve(message.text);
    else request.reject(new Error(`The primary could not aggregate metrics: ${message.error ?? 'no answer'}`));
  });
  return {
    contentType: Registry.PROMETHEUS_CONTENT_TYPE,
    text: () =>
      new Promise<string>((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error('The primary did not answer for the metrics in time'));
        }, WORKER_REQUEST_TIMEOUT_MS);
        timer.unref();
        waiting.set(id, {
          resolve: (text) => {
            clearTimeout(timer);
            resolve(text);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        process.send!({ type: REQUEST, id } satisfies ClusterMetricsRequest);
      }),
  };
}
