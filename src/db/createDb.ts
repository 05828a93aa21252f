/**
 * The one place that knows which database driver runs. Everything else receives
 * a `Database` and speaks drizzle.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { Logger } from 'drizzle-orm/logger';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { lockDataDir } from './dataDirLock';
import * as schema from './schema';

export type AppDatabase = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: AppDatabase;
  /** `postgres` for a PostgreSQL server, `pglite` for the embedded database. */
  driver: 'postgres' | 'pglite';
  /** Where the data lives, without credentials (for logs). */
  description: string;
  /** NOTIFY: sends `payload` to every listener of `channel` on this database, in every process. */
  notify(channel: string, payload: string): Promise<void>;
  /** LISTEN: calls `onMessage` for each notification; resolves, once listening, to the function that stops. */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** `postgres://…`, `memory://`, or undefined for PGlite under `dataDir`. */
  url: string | undefined;
  /** Where PGlite keeps its files when `url` is undefined. */
  dataDir: string;
  /** Connection pool size on PostgreSQL. Default 10. */
  poolSize?: number;
  /** Called with every SQL statement drizzle sends (tests count them). */
  onQuery?: (query: string) => void;
}

const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));
// Arbitrary constant: serialises migrations when several instances start at once.
const MIGRATION_LOCK_KEY = 727_001;

/** Opens the database named by `options.url` and applies pending migrations. */
export async function createDb(options: DatabaseOptions): Promise<Database> {
  const { url } = options;
  if (url === undefined || url === '' || url === 'memory://') {
    return openPglite(url === 'memory://' ? undefined : options.dataDir, options.onQuery);
  }
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, options.poolSize ?? 10, options.onQuery);
  throw new Error(`DATABASE_URL must start with postgres://, postgresql:// or be memory:// (got ${redact(url)})`);
}

async function openPglite(dataDir: string | undefined, onQuery: QueryListener): Promise<Database> {
  let unlock = () => {};
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    unlock = lockDataDir(dataDir);
  }
  const client = dataDir ? new PGlite(dataDir) : new PGlite();
  const db = drizzlePglite(client, { schema, logger: queryLogger(onQuery) });
  try {
    await migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER });
  } catch (error: unknown) {
    await client.close();
    unlock();
    throw new Error(`Could not migrate the PGlite database${dataDir ? ` in ${dataDir}` : ''}`, { cause: error });
  }
  return {
    db: db as unknown as AppDatabase,
    driver: 'pglite',
    description: dataDir ? `PGlite in ${dataDir}` : 'PGlite in memory',
    notify: async (channel, payload) => {
      await client.query('select pg_notify($1, $2)', [channel, payload]);
    },
    listen: (channel, onMessage) => client.listen(channel, onMessage),
    close: async () => {
      await client.close();
      unlock();
    },
  };
}

async function openPostgres(url: string, poolSize: number, onQuery: QueryListener): Promise<Database> {
  const client = postgres(url, {
    max: poolSize,
    onnotice: () => {},
    // LLVM JIT compiles an export chunk (whose estimates look huge) for longer than it runs: measured 730 ms of 1 s.
    connection: { jit: 'off' },
  });
  const db = drizzlePostgres(client, { schema, logger: queryLogger(onQuery) });
  try {
    const lockHolder = await client.reserve();
    try {
      await lockHolder`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
      await migratePostgres(db, { migrationsFolder: MIGRATIONS_FOLDER });
      await lockHolder`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    } finally {
      lockHolder.release();
    }
  } catch (error: unknown) {
    await client.end({ timeout: 1 });
    throw new Error(`Could not open and migrate PostgreSQL at ${redact(url)}`, { cause: error });
  }
  return {
    db: db as unknown as AppDatabase,
    driver: 'postgres',
    description: `PostgreSQL at ${redact(url)}`,
    notify: async (channel, payload) => {
      await client.notify(channel, payload);
    },
    // postgres.js keeps a connection of its own for LISTEN and reconnects it.
    listen: async (channel, onMessage) => {
      const { unlisten } = await client.listen(channel, onMessage);
      return unlisten;
    },
    close: () => client.end({ timeout: 5 }),
  };
}

type QueryListener = DatabaseOptions['onQuery'];

function queryLogger(onQuery: QueryListener): Logger | false {
  return onQuery ? { logQuery: (query) => onQuery(query) } : false;
}

/** Drops the password from a connection URL. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
