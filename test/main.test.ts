/**
 * The server as users start it: `npm start` (`node dist/main.mjs serve`) in a
 * process of its own, configured only through the environment.
 */
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CREATE_DATASET, PROFILE_SCHEMA_REF } from './fixtures/operations';
import { createPostgresDatabase } from './helpers/databases';
import { spawnCommand, startService, stopService } from './helpers/processes';
import { TENANT } from './helpers/testServer';

const DATASETS = '{ datasets { totalCount edges { node { id name } } } }';

/** A process's resident memory now, in MB; undefined where there is no /proc (Linux only). */
function residentMb(pid: number): number | undefined {
  if (!existsSync('/proc/self/status')) return undefined;
  const kilobytes = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kilobytes === undefined) throw new Error(`No VmRSS for process ${pid}`);
  return Number(kilobytes) / 1024;
}

// Each test starts servers in processes of their own, a first start of PGlite running initdb: slow on a busy machine.
describe('the serve command', { timeout: 90_000 }, () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('keeps the embedded database in DATA_DIR across restarts; the start that created it holds no more memory than a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gw-data-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));

    const first = await startService('serve', { DATA_DIR: dataDir });
    const created = await post(first.url, CREATE_DATASET, { input: { name: 'Kept', schemaRef: PROFILE_SCHEMA_REF } });
    expect(created.data.createDataset.name).toBe('Kept');
    await post(first.url, DATASETS);
    const firstRss = residentMb(first.child.pid!);
    await stopService(first);

    const second = await startService('serve', { DATA_DIR: dataDir });
    const listed = await post(second.url, DATASETS);
    expect(listed.data.datasets.edges.map((edge: any) => edge.node.name)).toEqual(['Kept']);
    // Each after the same read. Creating the database on the serving thread (src/db/pgliteThread.ts)
    // had left about twice what a restart holds (843 against 420 MB here).
    if (firstRss !== undefined) expect(firstRss).toBeLessThan(residentMb(second.child.pid!)! * 1.5);
    expect(await stopService(second)).toBe(0);
  });

  it('refuses a second process on the same embedded database instead of corrupting it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gw-data-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const first = await startService('serve', { DATA_DIR: dataDir });
    const second = spawnCommand('serve', { DATA_DIR: dataDir });
    let output = '';
    second.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = await once(second, 'exit');
    expect(code).toBe(1);
    expect(output).toMatch(/in use by process \d+/);
    expect(output).toMatch(/DATABASE_URL=postgres/);
    const stillServing = await post(first.url, DATASETS);
    expect(stillServing.data.datasets.totalCount).toBe(0);
    expect(await stopService(first)).toBe(0);
  });

  it('keeps the embedded database under ./.data/ of the working directory by default', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'gw-cwd-'));
    cleanups.push(() => rmSync(workDir, { recursive: true, force: true }));
    const server = await startService('serve', {}, { cwd: workDir });
    await post(server.url, CREATE_DATASET, { input: { name: 'Default place', schemaRef: PROFILE_SCHEMA_REF } });
    expect(await stopService(server)).toBe(0);
    expect(existsSync(join(workDir, '.data', 'pglite', 'PG_VERSION'))).toBe(true);
  });

  // SERVER_PROCESSES itself: test/metrics/clusterMetrics.test.ts.
  it('serves PostgreSQL from several processes with WORKERS, the old name of SERVER_PROCESSES, and warns once', async () => {
    const database = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    const server = await startService('serve', { DATABASE_URL: database.url, WORKERS: '2' }, { times: 2 });
    const warnings = server.output().split('\n').filter((line) => line.includes('"level":"warn"'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!).message).toBe('WORKERS is read as SERVER_PROCESSES, its new name: set SERVER_PROCESSES instead');
    const created = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        post(server.url, CREATE_DATASET, { input: { name: `D${i}`, schemaRef: PROFILE_SCHEMA_REF } }),
      ),
    );
    expect(created.every((response) => response.data?.createDataset)).toBe(true);
    const listed = await post(server.url, DATASETS);
    expect(listed.data.datasets.totalCount).toBe(6);
    expect(await stopService(server)).toBe(0);
  });

  it.each([
    ['SERVER_PROCESSES above 1 on the embedded database', { DATABASE_URL: 'memory://', SERVER_PROCESSES: '2' }, /SERVER_PROCESSES > 1 needs DATABASE_URL=postgres/],
    ['WORKERS, its old name, disagreeing with it', { DATABASE_URL: 'memory://', SERVER_PROCESSES: '1', WORKERS: '2' }, /SERVER_PROCESSES .+ and WORKERS, its old name .+, disagree: set SERVER_PROCESSES alone/],
    ['a malformed PORT', { DATABASE_URL: 'memory://', PORT: 'eighty' }, /PORT must be an integer/],
  ])('refuses %s at start, saying why', async (_case, env, message) => {
    const child = spawnCommand('serve', env);
    let output = '';
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(output).toMatch(message);
  });

  it.each([['#'], ['/'], ['?']])('refuses a DATABASE_URL whose password holds an unencoded %s without logging the password', async (reserved) => {
    const child = spawnCommand('serve', { DATABASE_URL: `postgres://app:Sekrit${reserved}Word@127.0.0.1:5432/gw` });
    let output = '';
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(output).toContain('DATABASE_URL is not a valid URL (postgres://app:***@127.0.0.1:5432/gw)');
    expect(output).not.toMatch(/Sekrit|Word/);
  });
});

describe('the worker command', { timeout: 90_000 }, () => {
  it('runs with WORKERS, the old name of SERVER_PROCESSES, and warns once that it is read under its new name', async () => {
    const database = await createPostgresDatabase();
    try {
      const worker = await startService('worker', { DATABASE_URL: database.url, WORKERS: '2' });
      const warnings = worker.output().split('\n').filter((line) => line.includes('"level":"warn"'));
      expect(warnings).toHaveLength(1);
      expect(JSON.parse(warnings[0]!).message).toBe('WORKERS is read as SERVER_PROCESSES, its new name: set SERVER_PROCESSES instead');
      expect(await stopService(worker)).toBe(0);
    } finally {
      await database.drop();
    }
  });
});

async function post(url: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...TENANT },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}
