/**
 * Several HTTP server processes on one port (node:cluster), so one instance
 * uses every core. The primary only forks, restarts workers that die, passes
 * shutdown signals on, and aggregates the workers' metrics
 * (metrics/clusterMetrics.ts); each worker is a complete server.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Config } from './config';
import { canServeSeveralProcesses } from './db/databaseOptions';
import { serveMetricsPort } from './http/metricsHandler';
import { describeError, type Logger } from './logger';
import { aggregateWorkerMetrics } from './metrics/clusterMetrics';

// A worker that dies sooner than this after starting is not restarted: it would only die again.
const MIN_UPTIME_FOR_RESTART_MS = 10_000;

export function runPrimary(config: Config, logger: Logger): void {
  if (!canServeSeveralProcesses(config.databaseUrl)) {
    throw new Error('SERVER_PROCESSES > 1 needs DATABASE_URL=postgres://…: an embedded PGlite belongs to one process');
  }
  let stopping = false;
  const startedAt = new Map<Worker, number>();
  const fork = () => startedAt.set(cluster.fork(), Date.now());
  for (let i = 0; i < config.serverProcesses; i++) fork();

  if (config.metrics.enabled) {
    const metrics = aggregateWorkerMetrics(logger);
    if (config.metrics.port !== undefined) {
      serveMetricsPort(metrics, config.metrics.port, config.host, logger).then(
        (server) => logger.info('Cluster metrics served', { port: server.port }),
        (error: unknown) => {
          logger.error('Serving metrics failed', { port: config.metrics.port, error: describeError(error) });
          process.exit(1);
        },
      );
    }
  }

  cluster.on('exit', (worker, code, signal) => {
    const uptime = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      if (startedAt.size === 0) process.exit(0);
      return;
    }
    logger.error('Worker died', { pid: worker.process.pid, code, signal, uptimeMs: uptime });
    if (uptime >= MIN_UPTIME_FOR_RESTART_MS) fork();
    else if (startedAt.size === 0) process.exit(1);
  });

  const shutdown = (signal: NodeJS.Signals) => {
    stopping = true;
    logger.info('Shutting down workers', { signal });
    for (const worker of startedAt.keys()) worker.process.kill(signal);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

export const isPrimaryProcess = () => cluster.isPrimary;
