/**
 * A bulk load leaves the profile store analyzed (issue 16): `npm run seed` and
 * `npm run ingest` end with `analyzeProfileStore`, on PostgreSQL. This
 * machine's PostgreSQL runs without autovacuum, so statistics there after a
 * load are ours; a store never analyzed is planned as if it were empty.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/createDb';
import { createPostgresDatabase } from '../helpers/databases';
import { runToEnd, type CommandResult } from '../helpers/processes';

const ORG = 'ORG_ANALYZED@AdobeOrg';
const STORE_TABLES = ['experience_events', 'profiles', 'segment_memberships'];

interface TableStatistics {
  table: string;
  analyzed: boolean;
  /** What the planner believes the table holds: -1 until it is first analyzed (PostgreSQL 14+). */
  reltuples: number;
  /** Columns with a row in pg_stats. */
  columns: number;
}

describe('the profile store after a bulk load on PostgreSQL', { timeout: 120_000 }, () => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A fresh database, migrated (so the tables exist) and never loaded, with a client to read its statistics. */
  async function freshStore() {
    const database = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    await (await createDb({ url: database.url, dataDir: '', countPoolUsage: false })).close();
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    cleanups.push(() => sql.end());
    const statistics = async () =>
      sql<TableStatistics[]>`select c.relname as table,
          s.last_analyze is not null as analyzed,
          c.reltuples::float8 as reltuples,
          (select count(*)::int from pg_stats p where p.schemaname = 'public' and p.tablename = c.relname) as columns
        from pg_class c join pg_stat_user_tables s on s.relid = c.oid
        where c.relname in ${sql(STORE_TABLES)} order by c.relname`;
    // What makes the statistics after a load ours: nothing else analyzes here.
    const [autovacuum] = await sql<{ autovacuum: string }[]>`show autovacuum`;
    return { url: database.url, statistics, autovacuum: autovacuum!.autovacuum };
  }

  /** Before a load: no table analyzed, nothing known of its rows. */
  const neverAnalyzed = STORE_TABLES.map((table) => ({ table, analyzed: false, reltuples: -1, columns: 0 }));

  /** After a load: every table analyzed, with the rows it holds and statistics on its columns. */
  function expectAnalyzed(statistics: TableStatistics[], rows: Record<string, number>): void {
    expect(statistics.map(({ table, analyzed }) => ({ table, analyzed }))).toEqual(
      STORE_TABLES.map((table) => ({ table, analyzed: true })),
    );
    for (const { table, reltuples, columns } of statistics) {
      expect({ table, reltuples }).toEqual({ table, reltuples: rows[table] });
      expect(columns, table).toBeGreaterThan(0);
    }
  }

  it('is analyzed when npm run seed ends', async () => {
    const store = await freshStore();
    expect(store.autovacuum).toBe('off');
    expect(await store.statistics()).toEqual(neverAnalyzed);

    const seeded = await npmRun(['seed', '--', '--profiles', '1000', '--org', ORG], { DATABASE_URL: store.url });
    expect(seeded).toMatchObject({ code: 0 });
    const summary = /Seeded (\d+) profiles \((\d+) segment memberships, (\d+) events\)/.exec(seeded.stdout);
    expect(summary).not.toBeNull();
    const [, profiles, memberships, events] = summary!.map(Number);

    expectAnalyzed(await store.statistics(), {
      profiles: profiles!,
      segment_memberships: memberships!,
      experience_events: events!,
    });
  });

  it('is analyzed when npm run ingest ends', async () => {
    const store = await freshStore();
    expect(store.autovacuum).toBe('off');
    expect(await store.statistics()).toEqual(neverAnalyzed);

    const dir = mkdtempSync(join(tmpdir(), 'gw-analyze-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'profiles.ndjson');
    writeFileSync(file, Array.from({ length: 300 }, (_, i) => JSON.stringify(profileLine(i))).join('\n') + '\n');

    const ingested = await npmRun(['ingest', '--', file, '--org', ORG], { DATABASE_URL: store.url });
    expect(ingested).toMatchObject({ code: 0 });

    // Each profile: two memberships and one event (profileLine).
    expectAnalyzed(await store.statistics(), { profiles: 300, segment_memberships: 600, experience_events: 300 });
  });
});

function profileLine(i: number): Record<string, unknown> {
  const profileId = `p${String(i).padStart(5, '0')}`;
  return {
    profileId,
    identities: [{ namespace: 'email', id: `${profileId}@example.com` }],
    attributes: { person: { name: { firstName: `N${i}` } } },
    updatedAt: '2025-01-10T12:00:00Z',
    segments: [
      { segmentId: `seg-${i % 5}`, segmentNs: 'ups', status: 'REALIZED', qualificationTime: '2025-01-09T00:00:00Z' },
      { segmentId: `seg-${5 + (i % 3)}`, segmentNs: 'ups', status: 'EXISTING', qualificationTime: '2025-01-09T00:00:00Z' },
    ],
    events: [{ ingestTime: '2025-01-08T10:00:00Z', data: { eventType: 'web.webpagedetails.pageViews' } }],
  };
}

/** `npm run <args>` as a user runs it, with `env` as its only database configuration. */
function npmRun(args: string[], env: Record<string, string>): Promise<CommandResult> {
  return runToEnd('npm', ['run', '--silent', ...args], env);
}
