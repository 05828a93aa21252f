/**
 * `npm run ingest` (src/cli/ingest.ts) as a user runs it, in a process of its own:
 * into PostgreSQL or the embedded database, its summary, its refusals and exit codes.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/createDb';
import type { Database } from '../../src/db/database';
import { lockDataDir } from '../../src/db/dataDirLock';
import { profiles } from '../../src/db/schema';
import { ndjson, profile } from '../fixtures/profileLines';
import { createPostgresDatabase } from '../helpers/databases';
import { runToEnd, type CommandResult } from '../helpers/processes';

/**
 * As `npm run ingest` runs it: through tsx, whose embedded database's thread registers
 * tsx too (not the build the other tests' threads run, GW_THREADS_FROM_BUILD): this is
 * the test of that path.
 */
function runIngest(args: string[], env: Record<string, string>): Promise<CommandResult> {
  return runToEnd(process.execPath, ['--import', 'tsx', 'src/cli/ingest.ts', ...args], { GW_THREADS_FROM_BUILD: '', ...env });
}

describe('the ingest command', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-ingest-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const fiveProfiles = (third: Record<string, unknown> = profile('p3')) =>
    ndjson(profile('p1'), profile('p2'), third, profile('p4'), profile('p5'));
  const countIn = async (database: Database, orgId: string) => {
    const [row] = await database.db.select({ n: count() }).from(profiles).where(eq(profiles.orgId, orgId));
    return row!.n;
  };

  it('loads a good file into PostgreSQL and prints a summary', async () => {
    const postgres = await createPostgresDatabase();
    cleanups.push(() => postgres.drop());
    const good = file('good.ndjson', fiveProfiles());

    const result = await runIngest([good, '--org', 'cli-org', '--sandbox', 'dev'], { DATABASE_URL: postgres.url });
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Ingested 5 profiles into cli-org\/dev in \d+\.\d s\n$/);

    const database = await createDb({ url: postgres.url, dataDir: '' });
    cleanups.push(() => database.close());
    expect(await countIn(database, 'cli-org')).toBe(5);
  });

  it('succeeds with a warning when the store cannot be analyzed after the load, which stands', async () => {
    const postgres = await createPostgresDatabase();
    cleanups.push(() => postgres.drop());
    const database = await createDb({ url: postgres.url, dataDir: '' });
    cleanups.push(() => database.close());
    // The VACUUM (ANALYZE) after the commit waits for a lock a session holds, and gives up.
    await database.db.execute(sql.raw(`alter database "${postgres.name}" set lock_timeout = '300ms'`));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holding = database.db.transaction(async (tx) => {
      await tx.execute(sql`lock table experience_events in share update exclusive mode`);
      locked();
      await released;
    });
    await isLocked;
    try {
      const result = await runIngest([file('unanalyzed.ndjson', fiveProfiles()), '--org', 'cli-unanalyzed'], { DATABASE_URL: postgres.url });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Ingested 5 profiles into cli-unanalyzed\/prod in \d+\.\d s\n$/);
      expect(result.stderr).toMatch(/^ingest: warning: the profiles are stored, but the store could not be analyzed afterwards \(.*lock.*\)/m);
    } finally {
      release();
      await holding;
    }
    expect(await countIn(database, 'cli-unanalyzed')).toBe(5);
  });

  it('exits non-zero on a bad third line, names the line and the field, and keeps nothing', async () => {
    const postgres = await createPostgresDatabase();
    cleanups.push(() => postgres.drop());
    const badSegment = { segmentId: 'seg-a', segmentNs: 'ups', status: 'gone', qualificationTime: '2025-01-09T00:00:00Z' };
    const bad = file('bad.ndjson', fiveProfiles(profile('p3', { segments: [badSegment] })));

    const result = await runIngest([bad, '--org', 'cli-org'], { DATABASE_URL: postgres.url });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('line 3: segments[0].status: Value "gone" does not exist in "SegmentStatus" enum.');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(result.stdout).toBe('');

    const database = await createDb({ url: postgres.url, dataDir: '' });
    cleanups.push(() => database.close());
    expect(await countIn(database, 'cli-org')).toBe(0);
  });

  it('loads a file into the embedded database in DATA_DIR', async () => {
    const dataDir = join(dir, 'pglite');
    const result = await runIngest([file('embedded.ndjson', fiveProfiles()), '--org', 'cli-org'], { DATA_DIR: dataDir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Ingested 5 profiles into cli-org\/prod in/);

    const database = await createDb({ url: undefined, dataDir });
    try {
      expect(await countIn(database, 'cli-org')).toBe(5);
    } finally {
      await database.close();
    }
  });

  it('refuses, without a stack trace, an embedded database another process holds', async () => {
    const dataDir = join(dir, 'held');
    // This test process plays the running server that holds the directory.
    const release = lockDataDir(dataDir);
    cleanups.push(release);
    const result = await runIngest([file('held.ndjson', fiveProfiles()), '--org', 'cli-org'], { DATA_DIR: dataDir });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `ingest: The embedded database in ${dataDir} is in use by process ${process.pid} (a running server?). ` +
        'Stop that process first, or use DATABASE_URL=postgres://… so several processes can share the data.\n',
    );
  });

  it('explains its usage when the organisation is missing', async () => {
    const result = await runIngest([file('usage.ndjson', fiveProfiles())], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--org is required[\s\S]*Usage: npm run ingest/);
  });

  it('refuses an organisation the API could never name (over 48 characters), before it touches a database', async () => {
    const result = await runIngest([file('long-org.ndjson', fiveProfiles()), '--org', 'o'.repeat(49)], { DATA_DIR: join(dir, 'never-opened') });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--org must be 1 to 48 printable characters[\s\S]*Usage: npm run ingest/);
    expect(existsSync(join(dir, 'never-opened'))).toBe(false);
  });
});
