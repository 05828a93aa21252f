/**
 * SIGTERM and SIGINT shut a server down gracefully: not ready at once, still serving for
 * the drain delay, then closed, exit 0. As `npm start` runs it, with no NODE_ENV (Apollo
 * Server then installs a signal handler of its own, which used to stop the server and kill
 * the process at once), and for a signal to the whole process group of a server with
 * SERVER_PROCESSES=2, as a terminal's Ctrl-C or systemd's control-group stop sends it: each
 * server process hears it twice, once itself and once from the primary, and must still
 * shut down gracefully, once.
 */
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createPostgresDatabase } from './helpers/databases';
import { startService, stopService, type ServiceProcess } from './helpers/processes';

/** The messages of a server's JSON log lines. */
const messagesOf = (output: string) =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => (JSON.parse(line) as { message: string }).message);

/**
 * Sends SIGINT to the process group of `service` (started with `processGroup`), as a
 * terminal's Ctrl-C does, and answers its exit code and signal. Whatever happened, nothing
 * of the group outlives the test (it is detached from vitest's).
 */
async function interruptGroup(service: ServiceProcess): Promise<unknown[]> {
  const exited = once(service.child, 'exit');
  process.kill(-service.child.pid!, 'SIGINT');
  try {
    return await exited;
  } finally {
    try {
      process.kill(-service.child.pid!, 'SIGKILL');
    } catch {
      // Gone already, as it should be.
    }
  }
}

describe('SIGTERM to a server as npm start runs it, on PostgreSQL', () => {
  it.each(['production', ''])('drains, closes and exits 0 with NODE_ENV=%j', { timeout: 60_000 }, async (nodeEnv) => {
    const database = await createPostgresDatabase();
    try {
      const server = await startService('serve', { DATABASE_URL: database.url, NODE_ENV: nodeEnv, SHUTDOWN_DRAIN_MS: '1500' });
      const probe = (path: string) => fetch(server.url.replace(/\/graphql$/, path));
      const stopped = stopService(server, 'SIGTERM');
      // Not ready at once, yet still answering for the drain delay: a load balancer moves off first.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const readyz = await probe('/readyz');
      expect(readyz.status).toBe(503);
      expect(await readyz.json()).toEqual({ status: 'not ready', reason: 'shutting down' });
      expect((await probe('/healthz')).status).toBe(200);
      expect(await stopped).toBe(0);
      expect(messagesOf(server.output())).toEqual(expect.arrayContaining(['Shutting down', 'Shut down']));
    } finally {
      await database.drop();
    }
  });
});

describe('SIGTERM to npm, as a container or supervisor that runs `npm run worker` sends it', () => {
  it('reaches the worker, which shuts down and exits 0 with npm, sent to npm alone or to the group', { timeout: 60_000 }, async () => {
    const database = await createPostgresDatabase();
    try {
      const worker = await startService('worker', { DATABASE_URL: database.url }, { viaNpm: true });
      // To npm alone: its shell must not stand between it and node, or node never hears it.
      expect(await stopService(worker, 'SIGTERM')).toBe(0);
      expect(messagesOf(worker.output())).toEqual(expect.arrayContaining(['Shutting down', 'Shut down']));
      // To the process group, as Ctrl-C: node hears it itself and again from npm, one stop.
      const grouped = await startService('worker', { DATABASE_URL: database.url }, { viaNpm: true, processGroup: true });
      expect(await interruptGroup(grouped)).toEqual([0, null]);
      expect(messagesOf(grouped.output()).filter((message) => message === 'Shut down')).toHaveLength(1);
    } finally {
      await database.drop();
    }
  });
});

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
      expect(await interruptGroup(server)).toEqual([0, null]);
      const messages = messagesOf(server.output());
      expect(messages.filter((message) => message === 'Shutting down')).toHaveLength(2);
      expect(messages.filter((message) => message === 'Shut down')).toHaveLength(2);
      expect(messages).not.toContain('Worker died');
    } finally {
      await database.drop();
    }
  });
});
