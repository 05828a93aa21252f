/** A runner beside a test server, as the server's own would run: its database and bus, quiet, quick. */
import { startRunner, type Runner } from '../../src/runner/runner';
import type { RunnerOptions } from '../../src/runner/runnerOptions';
import type { FileStore } from '../../src/files/fileStore';
import { QUIET_LOGGER } from './quietLogger';
import { testFileStore } from './testFiles';
import { NO_RUNNER, type TestServer } from './testServer';

/** Starts a runner over `server`'s database and event bus, with `options` over the tests' quick defaults (NO_RUNNER). */
export function startTestRunner(server: TestServer, options: Partial<RunnerOptions>, files: FileStore = testFileStore()): Runner {
  return startRunner({
    files,
    db: server.database.db,
    bus: server.server.bus,
    logger: QUIET_LOGGER,
    options: { ...NO_RUNNER, ...options },
  });
}
