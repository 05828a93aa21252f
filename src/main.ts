/** Command-line entry: `node --import tsx src/main.ts [serve|worker]`. */
import { loadConfig, type Config } from './config';
import { armFaultPoint } from './faultPoint';
import { createLogger, describeError } from './logger';
import { startServer } from './server';
import { isPrimaryProcess, runPrimary } from './serverProcesses';
import { startWorker } from './worker';

// At LOG_LEVEL once the config is read; before that (a config that fails to load), at info.
let logger = createLogger();

async function serve(): Promise<void> {
  const config = loadConfig();
  logger = createLogger({ level: config.logging.level });
  armFaultPoint(config.faultPoint);
  warnOfRenamedVariables(config);
  if (config.serverProcesses > 1 && isPrimaryProcess()) {
    runPrimary(config, logger);
    return;
  }
  const server = startServer(config, { logger });
  closeOnSignal(async () => (await server).close());
  await server;
}

/** The export runner alone, without the API: more runners for a PostgreSQL database. */
async function worker(): Promise<void> {
  const config = loadConfig();
  logger = createLogger({ level: config.logging.level });
  warnOfRenamedVariables(config);
  const started = startWorker(config, { logger });
  closeOnSignal(async () => (await started).close());
  await started;
}

function warnOfRenamedVariables(config: Config): void {
  // Once, from the process that reads the environment first: the cluster's workers read it again.
  if (!isPrimaryProcess()) return;
  for (const { old, name } of config.renamedVariables) logger.warn(`${old} is read as ${name}, its new name: set ${name} instead`);
}

/**
 * SIGINT/SIGTERM: finish or hand back what is running, close, exit. Listened for from
 * before the start: a signal sent once the ready line is logged (a supervisor's, a test's)
 * would otherwise end the process before anything was handed back. One during the start
 * waits for it to finish, then closes.
 */
function closeOnSignal(close: () => Promise<void>): void {
  let firstSignalAt: number | undefined;
  const shutdown = (signal: NodeJS.Signals) => {
    if (firstSignalAt !== undefined) {
      // A copy of the stop already under way. A process run by npm hears a Ctrl-C or a
      // control-group stop twice (itself, and from npm, which passes signals on), and one of
      // SERVER_PROCESSES a third time from the primary: within a second, it is the same stop.
      // Later, a second Ctrl-C to a process of its own stops it at once.
      if (isPrimaryProcess() && performance.now() - firstSignalAt > SAME_STOP_MS) {
        logger.warn('Stopping at once', { signal });
        process.removeAllListeners(signal);
        process.kill(process.pid, signal);
      }
      return;
    }
    firstSignalAt = performance.now();
    logger.info('Shutting down', { signal });
    close().then(
      () => {
        logger.info('Shut down', { signal });
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('Shutdown failed', { error: describeError(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

/** How soon after a stop's first signal another is taken for a copy of it. */
const SAME_STOP_MS = 1_000;

const command = process.argv[2] ?? 'serve';
const commands: Record<string, () => Promise<void>> = { serve, worker };
const run = commands[command];
if (!run) {
  logger.error(`Unknown command ${JSON.stringify(command)}; known: ${Object.keys(commands).join(', ')}`);
  process.exit(2);
}
run().catch((error: unknown) => {
  logger.error('Failed to start', { error: describeError(error) });
  process.exit(1);
});
