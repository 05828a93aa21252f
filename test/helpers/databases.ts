/**
 * The storage targets every storage test runs against: PGlite in memory and a
 * fresh PostgreSQL database (created from TEST_DATABASE_URL, dropped after).
 * PostgreSQL being unreachable fails the test; it is never skipped.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createDb } from '../../src/db/createDb';
import type { Database } from '../../src/db/database';
import { trackOpen } from './leftovers';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export interface StorageTarget {
  name: 'pglite' | 'postgres';
  /** Opens an empty, migrated database that `close()` removes again. */
  open(options?: { onQuery?: (query: string) => void; countPoolUsage?: boolean }): Promise<Database>;
}

export const storageTargets: StorageTarget[] = [
  // From the migrated snapshot test/globalSetup.ts made, when there is one (a run of vitest).
  // 32 MB of shared_buffers, not PGlite's 128: a test's store is small, and PGlite sets
  // up the whole cache at every open (about 0.4 s of each here; the tests open hundreds).
  {
    name: 'pglite',
    open: async (options) =>
      tracked(
        await createDb({
          url: 'memory://',
          dataDir: '',
          memoryTemplate: process.env.GW_TEST_PGLITE_TEMPLATE,
          pgliteSharedBuffersMb: 32,
          ...options,
        }),
      ),
  },
  { name: 'postgres', open: (options) => openFreshPostgres(options) },
];

/** `database`, open (helpers/leftovers.ts) until it is closed. */
function tracked(database: Database): Database {
  const closed = trackOpen(database.description, () => database.close());
  return {
    ...database,
    close: async () => {
      closed();
      await database.close();
    },
  };
}

const PREFIX = 'gw_test_';
// A run killed before its afterAll hooks leaves databases behind; the next run removes them.
const STALE_AFTER_MS = 60 * 60 * 1000;
let staleRemoved: Promise<void> | undefined;

/**
 * A PostgreSQL database of its own, for tests that spawn servers or need its URL.
 * Copied from the migrated template test/globalSetup.ts made (GW_TEST_PG_TEMPLATE),
 * when there is one: opening it then finds every migration applied, in a fraction
 * of the time migrating takes. `empty` starts from nothing instead (a test of the
 * migrations themselves); `icuLocale` creates it empty, with that ICU collation
 * instead of the cluster's (C here).
 */
export async function createPostgresDatabase(options: { icuLocale?: string; empty?: boolean } = {}): Promise<PostgresDatabase> {
  const created = await createUntrackedPostgresDatabase(options);
  const dropped = trackOpen(`PostgreSQL database ${created.name}`, created.drop);
  return {
    ...created,
    drop: async () => {
      dropped();
      await created.drop();
    },
  };
}

interface PostgresDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** As `createPostgresDatabase`, for a caller whose own handle is tracked and drops it (`openFreshPostgres`). */
async function createUntrackedPostgresDatabase({ icuLocale, empty }: { icuLocale?: string; empty?: boolean }): Promise<PostgresDatabase> {
  const name = `${PREFIX}${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    staleRemoved ??= removeStaleDatabases(admin);
    await staleRemoved;
    const template = process.env.GW_TEST_PG_TEMPLATE;
    const from = icuLocale
      ? ` template template0 locale_provider icu icu_locale '${icuLocale.replace(/'/g, "''")}'`
      : template && !empty
        ? ` template "${template}"`
        : '';
    await admin.unsafe(`create database "${name}"${from}`);
  } catch (error: unknown) {
    await admin.end();
    throw new Error(`PostgreSQL at TEST_DATABASE_URL (${TEST_DATABASE_URL}) is required by the tests`, {
      cause: error,
    });
  }
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const drop = async () => {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  };
  return { url: url.toString(), name, drop };
}

async function removeStaleDatabases(admin: postgres.Sql): Promise<void> {
  const rows = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${PREFIX + '%'}`;
  for (const { datname } of rows) {
    // The migrated template of a run lives as long as the run, which may pass the hour.
    if (datname === process.env.GW_TEST_PG_TEMPLATE) continue;
    const createdAt = parseInt(datname.slice(PREFIX.length).split('_')[0] ?? '', 36);
    if (Date.now() - createdAt > STALE_AFTER_MS) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
  }
}

/** An empty, migrated PostgreSQL database with an ICU collation (`icuLocale`, e.g. `en-US`), removed on close. */
export function postgresWithCollation(icuLocale: string): StorageTarget {
  return { name: 'postgres', open: (options) => openFreshPostgres(options, icuLocale) };
}

/** A fresh database (from the template, or with `icuLocale`), open and tracked; its close drops it. */
async function openFreshPostgres(
  options: { onQuery?: (query: string) => void; countPoolUsage?: boolean } = {},
  icuLocale?: string,
): Promise<Database> {
  // Tracked once, as the Database it answers (whose close drops it), not twice.
  const fresh = await createUntrackedPostgresDatabase({ icuLocale });
  let database: Database;
  try {
    database = await createDb({ url: fresh.url, dataDir: '', poolSize: 5, ...options });
  } catch (error: unknown) {
    // The open's error is the one to see, whatever the drop says.
    await fresh.drop().catch(() => {});
    throw error;
  }
  return tracked({
    ...database,
    close: async () => {
      try {
        await database.close();
      } finally {
        await fresh.drop();
      }
    },
  });
}
