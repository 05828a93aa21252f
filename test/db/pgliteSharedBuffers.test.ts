/**
 * PGLITE_SHARED_BUFFERS_MB reaches the embedded database as it opens, and only
 * that open: the data directory keeps no trace of it (PGlite's `postgresqlconf`
 * option would have rewritten its postgresql.conf), and PGlite's other start
 * settings stay as they were.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/createDb';
import type { Database } from '../../src/db/database';

async function settingsOf(database: Database) {
  const read = async (name: string) =>
    Object.values((await database.db.execute<Record<string, string>>(sql.raw(`show ${name}`)))[0]!)[0];
  return {
    sharedBuffers: await read('shared_buffers'),
    searchPath: await read('search_path'),
    parallelWorkers: await read('max_parallel_workers_per_gather'),
  };
}

describe('the embedded database’s shared_buffers', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-shared-buffers-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is the setting’s for that open, PGlite’s 128 MB on the next open without it, the other start settings kept', async () => {
    const small = await createDb({ url: undefined, dataDir, pgliteSharedBuffersMb: 24 });
    try {
      expect(await settingsOf(small)).toEqual({ sharedBuffers: '24MB', searchPath: 'public', parallelWorkers: '0' });
    } finally {
      await small.close();
    }
    const plain = await createDb({ url: undefined, dataDir });
    try {
      expect(await settingsOf(plain)).toEqual({ sharedBuffers: '128MB', searchPath: 'public', parallelWorkers: '0' });
    } finally {
      await plain.close();
    }
  });

  it('applies to a database in memory too', async () => {
    const database = await createDb({ url: 'memory://', dataDir: '', memoryTemplate: process.env.GW_TEST_PGLITE_TEMPLATE, pgliteSharedBuffersMb: 40 });
    try {
      expect((await settingsOf(database)).sharedBuffers).toBe('40MB');
    } finally {
      await database.close();
    }
  });
});
