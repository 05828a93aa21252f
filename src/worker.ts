/**
 * The composition root of `npm run worker`: the export runner, the webhook
 * deliverer and the events' retention, without the API — more runners for a
 * PostgreSQL database. With METRICS_PORT it serves `/metrics` there: the
 * runner's counters and histograms live in this process, and a scrape of the
 * API's servers would never see them.
 */
import { closeInTurn } from './closeInTurn';
import { startBackgroundServices } from './backgroundServices';
import { databaseOf, type Config } from './config';
import { createDb } from './db/createDb';
import { checkpointsOf } from './db/walCheckpoints';
import { createDatabaseEventBus } from './events/databaseEventBus';
import { serveMetricsPort, METRICS_PATH, type MetricsServer } from './http/metricsHandler';
import type { Logger } from './logger';
import { createGatewayMetrics } from './metrics/gatewayMetrics';
import { localMetrics } from './metrics/metricsSource';
import { processMetrics } from './metrics/processMetrics';
import { cachedQueueSnapshot } from './metrics/queueSnapshot';
import { registerStateGauges } from './metrics/stateGauges';
import { startTracing } from './tracing/startTracing';

export interface Worker {
  /** Where `/metrics` answers; null without METRICS_PORT or with METRICS=off. */
  metricsUrl: string | null;
  /** Hands back what runs, then closes the database and flushes the traces. */
  close(): Promise<void>;
}

export async function startWorker(config: Config, { logger }: { logger: Logger }): Promise<Worker> {
  // First: the runs' spans need the SDK in place before anything is traced.
  const tracing = await startTracing(config.tracing);
  // Recorded only where they are served: without METRICS_PORT nothing would read them.
  const served = config.metrics.enabled && config.metrics.port !== undefined;
  const database = await createDb({
    ...databaseOf(config),
    poolSize: config.poolSize,
    countPoolUsage: served,
  });
  // PGlite has no checkpointer of its own: the process that opened it takes its checkpoints.
  const checkpoints = checkpointsOf(config.databaseUrl, database, logger);
  const options = { ...config.runner, concurrency: Math.max(1, config.runner.concurrency) };
  const metrics = served ? createGatewayMetrics() : undefined;
  const bus = await createDatabaseEventBus(database, logger, metrics?.events);
  const background = await startBackgroundServices({ database, bus, logger, runner: options, config, metrics });
  let metricsServer: MetricsServer | null = null;
  if (metrics && config.metrics.port !== undefined) {
    const { runner } = background;
    registerStateGauges(metrics.registry, {
      queue: cachedQueueSnapshot(database.db),
      runner: { busy: () => runner.busySlots(), concurrency: options.concurrency },
      pools: () => database.poolUsage(),
    });
    const source = localMetrics([processMetrics(), metrics.registry]);
    metricsServer = await serveMetricsPort(source, config.metrics.port, config.host, logger);
  } else if (config.metrics.enabled) {
    logger.info('This worker serves no /metrics: set METRICS_PORT for its runner metrics');
  }
  const metricsUrl = metricsServer ? `http://${config.host ?? '127.0.0.1'}:${metricsServer.port}${METRICS_PATH}` : null;
  if (metricsUrl) logger.info('Worker metrics served', { url: metricsUrl });
  return {
    metricsUrl,
    close: async () => {
      await closeInTurn([
        () => background.stop(),
        () => metricsServer?.close(),
        () => bus.close(),
        () => checkpoints?.stop(),
        () => database.close(),
        async () => {
          const unsent = await tracing?.shutdown();
          if (unsent) logger.warn('Spans left unsent at shutdown', { reason: unsent });
        },
      ]);
    },
  };
}
