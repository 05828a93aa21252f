/**
 * What every process that runs exports also runs (a server with
 * RUNNER_CONCURRENCY above 0, `npm run worker`): the runner, the webhook
 * deliverer, the events' retention and the results' (the sweeper), each on
 * connections of its own.
 */
import { sql } from 'drizzle-orm';
import type { Config } from './config';
import type { Database } from './db/database';
import type { EventBus } from './events/eventBus';
import { startEventPruning } from './events/eventRetention';
import type { Logger } from './logger';
import type { GatewayMetrics } from './metrics/gatewayMetrics';
import { createFileStore } from './files/createFileStore';
import type { FileStore } from './files/fileStore';
import { lightStatementSizer } from './runner/chunkSizer';
import { startResultSweeper } from './runner/resultSweeper';
import { startRunner, type Runner } from './runner/runner';
import type { RunnerOptions } from './runner/runnerOptions';
import { runnerPoolOptions } from './runner/runnerPool';
import { startWebhookDeliverer } from './webhooks/webhookDeliverer';
import { webhookPoolOptions } from './webhooks/webhookPool';
import { closeInTurn } from './closeInTurn';

export interface BackgroundServices {
  runner: Runner;
  /** Stops the runner (handing its jobs back), then the deliverer, the pruning and the sweeper. */
  stop(): Promise<void>;
}

export async function startBackgroundServices(deps: {
  database: Database;
  bus: EventBus;
  logger: Logger;
  runner: RunnerOptions;
  config: Pick<Config, 'webhooks' | 'events' | 'files'>;
  /** Absent when metrics are off. */
  metrics?: GatewayMetrics;
  /** Where exports store their files; by default the store `config.files` names. */
  files?: FileStore;
}): Promise<BackgroundServices> {
  const { database, bus, logger, config, metrics } = deps;
  const files = deps.files ?? (await createFileStore(config.files));
  const runnerDb = await database.boundedPool(runnerPoolOptions(deps.runner));
  const runner = startRunner({ db: runnerDb, bus, logger, options: deps.runner, metrics: metrics?.runner, files });
  // Its own slots and connections: an endpoint never slows an export.
  const webhookDeliverer =
    config.webhooks.concurrency > 0
      ? startWebhookDeliverer({
          database,
          db: await database.boundedPool(webhookPoolOptions(config.webhooks)),
          logger,
          options: config.webhooks,
          runnerId: runner.id,
          // A runner's claims all last as long: a dead process frees its endpoints as it frees its jobs.
          leaseMs: deps.runner.leaseMs,
          metrics: metrics?.webhooks,
        })
      : null;
  const pruning = startEventPruning({ db: runnerDb, logger, options: config.events });
  const sweeper = startResultSweeper({
    db: runnerDb,
    files,
    logger,
    intervalMs: deps.runner.resultSweepMs,
    sizer: lightStatementSizer(deps.runner),
    // PGlite has no autovacuum: the deleted records' space is reused only once vacuumed
    // (~50 ms for 200,000 deleted of 600,000 on PGlite here); on PostgreSQL it only comes before autovacuum.
    afterRecordsRemoved: async () => void (await runnerDb.execute(sql`vacuum batch_records`)),
  });
  return {
    runner,
    // Each stops though one before it failed (a database gone fails the runner's hand-back).
    stop: () => closeInTurn([() => runner.stop(), () => webhookDeliverer?.stop(), () => pruning.stop(), () => sweeper.stop()]),
  };
}
