import type { Logger } from 'drizzle-orm/logger';

export interface DatabaseOptions {
  /** `postgres://…`, `memory://`, or undefined for PGlite under `dataDir`. */
  url: string | undefined;
  /** Where PGlite keeps its files when `url` is undefined. */
  dataDir: string;
  /** Connection pool size on PostgreSQL. Default 10. */
  poolSize?: number;
  /**
   * Counts the connections each pool's work holds, for the pool gauges
   * (`Database.poolUsage`). Default true; false (METRICS=off) leaves PostgreSQL's
   * statements untouched unless they are traced, and the readings empty.
   */
  countPoolUsage?: boolean;
  /** Called with every SQL statement drizzle sends (tests count them). */
  onQuery?: (query: string) => void;
  /**
   * `memory://` only: a PGlite data directory dumped to a file (`dumpDataDir`,
   * uncompressed) that the database starts from instead of an empty cluster.
   * Tests open hundreds of databases: from a migrated snapshot each opens in
   * about 0.5 s instead of 2 (initdb, then every migration).
   */
  memoryTemplate?: string;
  /**
   * The embedded database's `shared_buffers`, in MB (`PGLITE_SHARED_BUFFERS_MB`);
   * unset, PGlite's 128. PGlite touches all of it as it opens: the process's RSS
   * moves with it (an idle open: 309 MB at 128, 209 at 32).
   */
  pgliteSharedBuffersMb?: number;
}

/** Whether `url` names the embedded database (PGlite, on disk or in memory), which belongs to one process. */
export function isEmbeddedDatabase(url: string | undefined): boolean {
  return url === undefined || url === '' || url === 'memory://';
}

/**
 * Whether several processes may open the database `url` names at once (one
 * server per core, `SERVER_PROCESSES` > 1): PostgreSQL serves any number; the embedded
 * database belongs to the one process that opened it.
 */
export function canServeSeveralProcesses(url: string | undefined): boolean {
  return !isEmbeddedDatabase(url);
}

/**
 * Whether statements sent at once on several connections of the database `url`
 * names run at once: on PostgreSQL, each on a core of its own; the embedded
 * database runs one statement at a time, and the others queue.
 */
export function canRunStatementsAtOnce(url: string | undefined): boolean {
  return !isEmbeddedDatabase(url);
}

export function queryLogger(onQuery: DatabaseOptions['onQuery']): Logger | false {
  return onQuery ? { logQuery: (query) => onQuery(query) } : false;
}

/** Drops the password from a connection URL. */
export function redact(url: string): string {
  // Up to the last `@`: a password may hold `@`, `/` or `#` that its writer did not encode.
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*):[^]*@/i, '$1:***@');
}
