/**
 * The project's own face of the database, the same for PostgreSQL (postgres.js)
 * and the embedded PGlite: drizzle for queries, plus what drizzle lacks (COPY,
 * LISTEN/NOTIFY). Only `src/db` knows which driver is behind it.
 */
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Assume } from 'drizzle-orm/utils';
import type { PoolUsage } from './poolLoad';
import type * as schema from './schema';

/** Raw statements (`db.execute(sql…)`) answer their rows, on either driver. */
export interface RowsQueryResultHKT extends PgQueryResultHKT {
  type: Assume<this['row'], Record<string, unknown>>[];
}

export type AppDatabase = PgDatabase<RowsQueryResultHKT, typeof schema>;
/** What `db.transaction` hands its callback: statements of one transaction. */
export type AppTransaction = Parameters<Parameters<AppDatabase['transaction']>[0]>[0];

export interface Database {
  db: AppDatabase;
  /** Where the data lives, without credentials (for logs). */
  description: string;
  /**
   * A handle for background work (the runner) whose statements are all bounded.
   * On PostgreSQL: a pool of its own, so that it can never take the API's
   * connections, whose sessions end any statement after `statementTimeoutMs`, any
   * transaction idle that long, and any statement whose client has gone (checked
   * every second). On PGlite: the same database (one connection; the runner's
   * statements are short by construction and go after the API's).
   */
  boundedPool(options: BoundedPoolOptions): Promise<AppDatabase>;
  /**
   * On PostgreSQL, a pool in node-postgres's shape (`query({ text, values })`
   * answering `{ rows }`) for libraries that speak it (rate-limiter-flexible);
   * null on the embedded database, which one process owns, so memory serves.
   */
  readonly nodePostgresPool: NodePostgresPool | null;
  /** Runs `work` in one transaction on one connection: committed if it resolves, rolled back if it throws. */
  withCopySession<T>(work: (session: CopySession) => Promise<T>): Promise<T>;
  /**
   * LISTEN: calls `onMessage` for each notification; resolves, once listening, to the function
   * that stops. `onRelisten` is called each time the LISTEN is taken up again after its
   * connection was lost (a restart, a failover): what was notified meanwhile was missed.
   */
  listen(channel: string, onMessage: (payload: string) => void, onRelisten?: () => void): Promise<() => Promise<void>>;
  /**
   * Why the database can never answer this process again: the embedded database's
   * thread stopped (a crash of PGlite, an out-of-memory abort), and only a restart
   * opens it again. Null while it runs, and always on PostgreSQL, whose connections
   * come back by themselves. Liveness (`/healthz`) fails on it.
   */
  failure(): Error | null;
  /** How busy each pool of connections is now (`PoolLoad`): the API's and each `boundedPool`'s, or PGlite's one. */
  poolUsage(): PoolUsage[];
  close(): Promise<void>;
}

export interface NodePostgresPool {
  query(query: { text: string; values?: unknown[]; name?: string }): Promise<{ rows: Record<string, unknown>[] }>;
}

export interface BoundedPoolOptions {
  /** The pool's name in the pool gauges (`runner`, `webhooks`). */
  name: string;
  /** Connections of the pool (PostgreSQL). */
  connections: number;
  /** The longest a statement, or a transaction left idle, may last. */
  statementTimeoutMs: number;
}

/** A transaction on one connection that can bulk-load a table with COPY. */
export interface CopySession {
  /** One statement with `$1`-style parameters; returns its rows. */
  query<Row>(text: string, params?: readonly (string | number)[]): Promise<Row[]>;
  /** Starts `COPY table FROM STDIN` (text format); nothing else may run on the session until it ends. */
  copyFrom(table: string): Promise<CopyStream>;
}

/** The rows of a COPY, each one line of COPY's text format (`copyLine`). */
export interface CopyStream {
  /** Resolves when the line may be followed by another (backpressure). */
  write(line: string): Promise<void>;
  /** Flushes and finishes; the rows are then visible to `query`. */
  end(): Promise<void>;
  /** Gives up; the transaction is rolled back after. */
  abort(reason: Error): Promise<void>;
}
