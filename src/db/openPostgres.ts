import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres, { type Sql } from 'postgres';
import type { AppDatabase, CopySession, Database } from './database';
import { postgresCopyStream } from './postgresCopyStream';
import { queryLogger, redact, type DatabaseOptions } from './databaseOptions';
import * as schema from './schema';
import { observedPostgres } from './observedPostgres';
import { PoolLoad } from './poolLoad';

// Arbitrary constant: serialises migrations when several instances start at once.
const MIGRATION_LOCK_KEY = 727_001;

/** A pool of postgres.js connections to `url`, migrated. */
export async function openPostgres(url: string, options: DatabaseOptions, migrationsFolder: string): Promise<Database> {
  const loads: PoolLoad[] = [];
  const pool = (name: string, connections: number, settings: Record<string, string>): Sql => {
    // Not counted (METRICS=off): statements then pass as the driver sends them, unless traced.
    const load = options.countPoolUsage === false ? undefined : new PoolLoad(name, connections);
    if (load) loads.push(load);
    return connect(url, connections, load, settings);
  };
  const client = pool('api', options.poolSize ?? 10, {});
  const db = drizzle({ client, schema, logger: queryLogger(options.onQuery) });
  const boundedPools: Sql[] = [];
  try {
    const lockHolder = await client.reserve();
    try {
      await lockHolder`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
      await migrate(db, { migrationsFolder });
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
    description: `PostgreSQL at ${redact(url)}`,
    boundedPool: async ({ name, connections, statementTimeoutMs }) => {
      const settings: Record<string, string> = {
        statement_timeout: String(statementTimeoutMs),
        idle_in_transaction_session_timeout: String(statementTimeoutMs),
      };
      // PostgreSQL 14+: the server notices a client gone (kill -9) while a statement runs,
      // and ends the statement instead of running it, and its locks, to the end.
      const [version] = await client<{ server_version_num: string }[]>`show server_version_num`;
      if (Number(version?.server_version_num) >= 140_000) settings.client_connection_check_interval = '1000';
      const bounded = pool(name, connections, settings);
      boundedPools.push(bounded);
      return drizzle({ client: bounded, schema, logger: queryLogger(options.onQuery) }) as unknown as AppDatabase;
    },
    nodePostgresPool: {
      query: async ({ text, values = [] }) => ({
        rows: (await client.unsafe(text, values as (string | number)[])) as unknown as Record<string, unknown>[],
      }),
    },
    withCopySession: (work) => withCopySession(client, work),
    // postgres.js keeps a connection of its own for LISTEN, reconnects it and listens again,
    // calling `onlisten` each time: every call after the first follows a gap.
    listen: async (channel, onMessage, onRelisten) => {
      let listening = false;
      const { unlisten } = await client.listen(channel, onMessage, () => {
        if (listening) onRelisten?.();
        listening = true;
      });
      return unlisten;
    },
    poolUsage: () => loads.map((load) => load.reading()),
    failure: () => null,
    close: async () => {
      await Promise.all([client, ...boundedPools].map((each) => each.end({ timeout: 5 })));
    },
  };
}

function connect(url: string, connections: number, load: PoolLoad | undefined, settings: Record<string, string>): Sql {
  // Every statement of ours passes this client: where it gets its spans and is counted.
  return observedPostgres(postgres(url, {
    max: connections,
    onnotice: () => {},
    // LLVM JIT compiles an export chunk (whose estimates look huge) for longer than it runs: measured 730 ms of 1 s.
    connection: { jit: 'off', ...settings },
  }), load);
}

async function withCopySession<T>(sql: Sql, work: (session: CopySession) => Promise<T>): Promise<T> {
  // One reserved connection: the transaction, its COPY and its queries must share it.
  const connection = await sql.reserve();
  try {
    await connection.unsafe('begin');
    let result: T;
    try {
      result = await work({
        query: async <Row>(text: string, params: readonly (string | number)[] = []) =>
          (await connection.unsafe(text, params as (string | number)[])) as unknown as Row[],
        copyFrom: async (table) => postgresCopyStream(await connection.unsafe(`copy ${table} from stdin`).writable()),
      });
    } catch (error: unknown) {
      await connection.unsafe('rollback').catch(() => {
        // The connection may be gone with the error; PostgreSQL rolls back on disconnect anyway.
      });
      throw error;
    }
    await connection.unsafe('commit');
    return result;
  } finally {
    connection.release();
  }
}
