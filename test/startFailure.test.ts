/**
 * A server whose start fails claims no job: its runner starts once everything that can
 * fail has not (its port, its key set, its signing key), or a job would be taken by a
 * process about to exit, and wait out a lease and lose an attempt.
 */
import { once } from 'node:events';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createDb } from '../src/db/createDb';
import { exportJobs } from '../src/db/schema';
import { createPostgresDatabase } from './helpers/databases';
import { spawnCommand } from './helpers/processes';
import { createDataset, createJob } from './helpers/seedApi';
import { startTestServer } from './helpers/testServer';

describe('a server that fails to start, on PostgreSQL', () => {
  it('starts no runner, so claims no job: its port in use, it exits 1 with every job NEW, said in JSON lines', { timeout: 60_000 }, async () => {
    const database = await createPostgresDatabase();
    // A server without a runner holds the port, and makes the job that waits.
    const api = await startTestServer(
      { name: 'postgres', open: (options) => createDb({ url: database.url, dataDir: '', poolSize: 5, ...options }) },
      { concurrency: 0 },
    );
    try {
      const job = await createJob(api, await createDataset(api));
      const failing = spawnCommand('serve', { DATABASE_URL: database.url, PORT: new URL(api.server.url).port, LOG_LEVEL: 'info' });
      let output = '';
      failing.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const [code] = await once(failing, 'exit');
      expect(code).toBe(1);
      expect(output).toContain('EADDRINUSE');
      // No runner was started, so none could take the job; and what it said is JSON lines only.
      expect(output).not.toContain('Export runner started');
      for (const line of output.split('\n').filter(Boolean)) expect(() => JSON.parse(line), line).not.toThrow();
      const [row] = await api.database.db.select().from(exportJobs).where(eq(exportJobs.id, Number(job.id)));
      expect(row).toMatchObject({ status: 'NEW', attempts: 0 });
    } finally {
      await api.close();
      await database.drop();
    }
  });
});
