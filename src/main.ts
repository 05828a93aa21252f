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
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
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
  // One of SERVER_PROCESSES hears a signal sent to the process group (Ctrl-C, systemd's
  // control-group stop) twice: itself, and again from the primary. The second must not kill
  // it mid-shutdown. A process of its own keeps the default for a second signal: it stops at once.
  const listen = isPrimaryProcess() ? process.once.bind(process) : process.on.bind(process);
  listen('SIGINT', shutdown);
  listen('SIGTERM', shutdown);
}

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
