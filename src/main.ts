/** Command-line entry: `node --import tsx src/main.ts [serve]`. */
import { loadConfig } from './config';
import { createLogger, describeError } from './logger';
import { startServer } from './server';
import { isPrimaryProcess, runPrimary } from './serveWorkers';

const logger = createLogger();

async function serve(): Promise<void> {
  const config = loadConfig();
  if (config.workers > 1 && isPrimaryProcess()) {
    runPrimary(config, logger);
    return;
  }
  const server = await startServer(config, { logger });
  const shutdown = (signal: string) => {
    logger.info('Shutting down', { signal });
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('Shutdown failed', { error: describeError(error) });
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

const command = process.argv[2] ?? 'serve';
const commands: Record<string, () => Promise<void>> = { serve };
const run = commands[command];
if (!run) {
  logger.error(`Unknown command ${JSON.stringify(command)}; known: ${Object.keys(commands).join(', ')}`);
  process.exit(2);
}
run().catch((error: unknown) => {
  logger.error('Failed to start', { error: describeError(error) });
  process.exit(1);
});
