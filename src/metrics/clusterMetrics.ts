/**
 * Metrics across the server processes (SERVER_PROCESSES, node:cluster). Prometheus scrapes one
 * address, and the main port reaches one worker at random, so a worker's own
 * figures would be a random share. Only the primary can ask every worker (over
 * the cluster's IPC channel), so every scrape is answered with the primary's aggregate:
 * - with METRICS_PORT, the primary itself listens on it;
 * - without, the worker that gets `/metrics` on the main port asks the primary
 *   for the aggregate and answers with it.
 * Counters and histograms are summed; gauges are summed unless they say
 * otherwise (`stateGauges.ts`). Counters and histograms of workers that died
 * stay in the sums (`retiredWorkerMetrics.ts`), so no sum falls when a worker is replaced.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, Registry } from 'prom-client';
import type { Logger } from '../logger';
import type { MetricsSource } from './metricsSource';
import { cumulativeMetrics, retireWorkerMetrics, type MetricJson } from './retiredWorkerMetrics';

/** A worker asks the primary for the aggregate; the primary answers with its text. */
const REQUEST = 'gateway:cluster-metrics-request';
const RESPONSE = 'gateway:cluster-metrics-response';
/** The primary asks each worker for its own metrics; the worker answers with their JSON. */
const COLLECT = 'gateway:worker-metrics-request';
const COLLECTED = 'gateway:worker-metrics-response';

// As long as prom-client's AggregatorRegistry waited for a worker.
const COLLECT_TIMEOUT_MS = 5_000;
// The worker's request for the aggregate waits a little longer than the primary waits for workers.
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

interface WorkerMetricsRequest {
  type: typeof COLLECT;
  id: number;
}

interface WorkerMetricsResponse {
  type: typeof COLLECTED;
  id: number;
  metrics?: MetricJson[];
  error?: string;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * In the primary: the aggregate of every worker, which it also sends to workers that ask for it.
 * A worker that does not answer within 5 s, or answers with an error, does not fail the scrape:
 * its counters and histograms as it last answered stand in (a warning names it), its gauges are
 * left out (so `gateway_processes` counts the processes that answered).
 */
export function aggregateWorkerMetrics(logger: Logger): MetricsSource {
  // Each live worker's last answer, by cluster worker id.
  const lastAnswers = new Map<number, MetricJson[]>();
  // The cumulative metrics of the workers that died, as each last answered. What a worker counted
  // after the last collection before its death is lost: nobody can ask it any more. A sum that
  // never falls matters more than an exact one (Prometheus takes a fall for a reset).
  let retired: MetricJson[] = [];
  // The collection in flight: scrapes that come meanwhile share it, so the answers of one worker
  // arrive in the order it read its counters.
  let collection: { id: number; answered(worker: Worker, answer: WorkerMetricsResponse): void; gone(worker: Worker): void } | undefined;
  let inFlight: Promise<string> | undefined;
  let nextId = 1;

  const askWorkers = () =>
    new Promise<Set<number>>((resolve) => {
      const id = nextId++;
      const waiting = new Map<number, Worker>();
      const answered = new Set<number>();
      const settle = (worker: Worker) => {
        if (!waiting.delete(worker.id) || waiting.size > 0) return;
        clearTimeout(timer);
        collection = undefined;
        resolve(answered);
      };
      const timer = setTimeout(() => {
        for (const worker of waiting.values()) {
          logger.warn('A server process did not answer for its metrics in time: its last counts stand in', { pid: worker.process.pid });
        }
        waiting.clear();
        collection = undefined;
        resolve(answered);
      }, COLLECT_TIMEOUT_MS);
      collection = {
        id,
        answered: (worker, answer) => {
          if (!waiting.has(worker.id)) return;
          if (Array.isArray(answer.metrics)) {
            lastAnswers.set(worker.id, answer.metrics);
            answered.add(worker.id);
          } else {
            logger.warn('A server process could not collect its metrics: its last counts stand in', { pid: worker.process.pid, error: answer.error });
          }
          settle(worker);
        },
        gone: settle,
      };
      for (const worker of Object.values(cluster.workers ?? {})) {
        if (!worker?.isConnected()) continue;
        waiting.set(worker.id, worker);
        // A channel that closes meanwhile: its 'exit' follows, and the worker is not waited for.
        worker.send({ type: COLLECT, id } satisfies WorkerMetricsRequest, (error) => {
          if (error) settle(worker);
        });
      }
      if (waiting.size === 0) {
        clearTimeout(timer);
        collection = undefined;
        resolve(answered);
      }
    });

  const collect = async (): Promise<string> => {
    const answered = await askWorkers();
    const answers = [...lastAnswers].map(([workerId, metrics]) => (answered.has(workerId) ? metrics : cumulativeMetrics(metrics)));
    // Each metric's own `aggregator` applies (`stateGauges.ts`): sum unless it says otherwise.
    return AggregatorRegistry.aggregate([...answers, retired]).metrics();
  };

  const source: MetricsSource = {
    contentType: Registry.PROMETHEUS_CONTENT_TYPE,
    text: () => (inFlight ??= collect().finally(() => (inFlight = undefined))),
  };

  cluster.on('exit', (worker) => {
    const last = lastAnswers.get(worker.id);
    lastAnswers.delete(worker.id);
    if (last) retired = retireWorkerMetrics(retired, last);
    collection?.gone(worker);
  });

  cluster.on('message', (worker, message: Partial<ClusterMetricsRequest | WorkerMetricsResponse>) => {
    if (message?.type === COLLECTED) {
      const current = collection;
      if (current && message.id === current.id) current.answered(worker, message as WorkerMetricsResponse);
      return;
    }
    if (message?.type !== REQUEST || typeof message.id !== 'number') return;
    const { id } = message;
    const reply = (response: Omit<ClusterMetricsResponse, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: RESPONSE, id, ...response } satisfies ClusterMetricsResponse);
    };
    source.text().then(
      (text) => reply({ text }),
      (error: unknown) => reply({ error: messageOf(error) }),
    );
  });
  return source;
}

/** In a worker: answers the primary's collections with `registries`, and scrapes with the aggregate. */
export function workerMetrics(registries: Registry[]): MetricsSource {
  const waiting = new Map<number, { resolve(text: string): void; reject(error: Error): void }>();
  let nextId = 1;
  const answerCollection = (id: number) => {
    const send = (answer: Omit<WorkerMetricsResponse, 'type' | 'id'>) => {
      if (process.connected) process.send!({ type: COLLECTED, id, ...answer } satisfies WorkerMetricsResponse);
    };
    Promise.all(registries.map((registry) => registry.getMetricsAsJSON())).then(
      // prom-client types `type` as an enum; at run time (and over IPC) it is the type's name.
      (metrics) => send({ metrics: metrics.flat() as unknown as MetricJson[] }),
      (error: unknown) => send({ error: messageOf(error) }),
    );
  };
  process.on('message', (message: Partial<ClusterMetricsResponse | WorkerMetricsRequest>) => {
    if (message?.type === COLLECT && typeof message.id === 'number') return answerCollection(message.id);
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
