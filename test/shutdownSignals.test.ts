/**
 * A signal to the whole process group of a server with SERVER_PROCESSES=2, as a terminal's
 * Ctrl-C or systemd's control-group stop sends it: each server process hears it twice, once
 * itself and once from the primary, and must still shut down gracefully, once.
 */
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createPostgresDatabase } from './helpers/databases';
import { startService } from './helpers/processes';

describe('a signal to the process group of SERVER_PROCESSES=2, on PostgreSQL', () => {
  it('shuts each server process down once, to its end, and the primary exits 0', { timeout: 60_000 }, async () => {
    const database = await createPostgresDatabase();
    try {
      // A drain long enough that the primary's copy of the signal arrives while the processes close.
      const server = await startService(
        'serve',
        { DATABASE_URL: database.url, SERVER_PROCESSES: '2', SHUTDOWN_DRAIN_MS: '500' },
        { times: 2, processGroup: true },
      );
      const exited = once(server.child, 'exit');
      process.kill(-server.child.pid!, 'SIGINT');
      try {
        expect(await exited).toEqual([0, null]);
      } finally {
        // Whatever happened, nothing of the group outlives the test (it is detached from vitest's).
        try {
          process.kill(-server.child.pid!, 'SIGKILL');
        } catch {
          // Gone already, as it should be.
        }
      }
      const messages = server
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => (JSON.parse(line) as { message: string }).message);
      expect(messages.filter((message) => message === 'Shutting down')).toHaveLength(2);
      expect(messages.filter((message) => message === 'Shut down')).toHaveLength(2);
      expect(messages).not.toContain('Worker died');
    } finally {
      await database.drop();
    }
  });
});
