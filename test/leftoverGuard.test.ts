/**
 * The guard every test file runs under (leftoverGuard.ts, STYLE.md debt 9): a
 * file that leaves something open fails, naming it. Run on a file that forgets
 * a tracked resource and a server of its own, in a vitest of its own.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { expect, it } from 'vitest';
import { storageTargets, TEST_DATABASE_URL } from './helpers/databases';
import { closeLeftovers, trackOpen } from './helpers/leftovers';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));

it('fails a test file that leaves a tracked resource or a listening server open, naming them', async () => {
  const run = promisify(execFile)(
    process.execPath,
    ['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/fixtures/leaky/vitest.config.ts'],
    { cwd: PROJECT, timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } },
  );
  const failure = await run.then(
    () => {
      throw new Error('the leaky file passed');
    },
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
  expect(failure.code).toBe(1);
  expect(`${failure.stdout}${failure.stderr}`).toContain(
    'The file left open: a forgotten database; 1 listening server(s) of its own (what the helpers opened is closed now)',
  );
}, 90_000);

it('closes what is left, the last opened first, and forgets what was closed', async () => {
  const closed: string[] = [];
  const forgetFirst = trackOpen('first', async () => void closed.push('first'));
  trackOpen('second', async () => void closed.push('second'));
  trackOpen('third', async () => void closed.push('third'));
  forgetFirst();
  expect(await closeLeftovers()).toEqual(['third', 'second']);
  expect(closed).toEqual(['third', 'second']);
  expect(await closeLeftovers()).toEqual([]);
});

it('tracks a PostgreSQL storage database once, as the handle whose close also drops it', async () => {
  const postgresTarget = storageTargets.find((target) => target.name === 'postgres')!;
  const database = await postgresTarget.open();
  const [row] = await database.db.execute<{ name: string }>(sql`select current_database() as name`);
  const name = row!.name;
  expect(await closeLeftovers()).toEqual([database.description]);
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    expect(await admin`select 1 from pg_database where datname = ${name}`).toHaveLength(0);
  } finally {
    await admin.end();
  }
});
