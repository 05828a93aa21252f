/**
 * The benchmarks start servers and runners as `npm start` and `npm run worker` do, by
 * reading those scripts (bench/serverProcess.ts). No test runs a whole benchmark, so this
 * one keeps that part honest: when `exec` went into the scripts, every benchmark stopped
 * at its start and nothing said so.
 */
import { describe, expect, it } from 'vitest';
import { scriptArgs, startWorkerProcess, stopServerProcess } from '../../bench/serverProcess';
import { createPostgresDatabase } from '../helpers/databases';
import { testFilesDir } from '../helpers/testFiles';

describe("the benchmarks' processes", { timeout: 60_000 }, () => {
  it('read the node arguments of npm start and npm run worker', () => {
    expect(scriptArgs('start').slice(-2)).toEqual(['dist/main.mjs', 'serve']);
    expect(scriptArgs('worker').slice(-2)).toEqual(['dist/main.mjs', 'worker']);
    for (const script of ['start', 'worker'] as const) {
      expect(scriptArgs(script).slice(0, -2).every((arg) => arg.startsWith('--')), script).toBe(true);
    }
  });

  it('start a runner as npm run worker does, which stops cleanly on SIGTERM', async () => {
    const database = await createPostgresDatabase();
    try {
      const worker = await startWorkerProcess({ DATABASE_URL: database.url, FILES_DIR: testFilesDir() });
      try {
        expect(worker.exitCode).toBeNull();
      } finally {
        await stopServerProcess(worker);
      }
      expect(worker.exitCode).toBe(0);
    } finally {
      await database.drop();
    }
  });
});
