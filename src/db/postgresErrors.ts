/**
 * PostgreSQL error codes (SQLSTATE) that the code acts on, by name, and a way
 * to find one in an error whatever wraps it (drizzle wraps the driver's error
 * in `cause`).
 */
export const PostgresErrorCode = {
  /** statement_timeout, or a cancel request. */
  QUERY_CANCELED: '57014',
  /** A unique index refused a row. */
  UNIQUE_VIOLATION: '23505',
} as const;

/** The string `code`s of `error` and of its chain of causes, outermost first. */
function* codesInChain(error: unknown): Generator<string> {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; current = current.cause, depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string') yield code;
  }
}

// Five digits or capitals, with a digit among them: a socket's EPIPE or EPERM is five capitals too.
const SQLSTATE = /^(?=[A-Z]*[0-9])[0-9A-Z]{5}$/;

/** The SQLSTATE of `error` or of the first error in its chain of causes that has one. */
export function postgresErrorCode(error: unknown): string | undefined {
  for (const code of codesInChain(error)) if (SQLSTATE.test(code)) return code;
  return undefined;
}

/**
 * SQLSTATEs after which the same work, done again on a fresh connection, may well
 * succeed: the database chose this transaction to end (serialization failure,
 * deadlock), a lock was held past its lock_timeout, or the server is shutting down,
 * restarting or full of connections.
 * Class 08 (connection exceptions) counts as well.
 */
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03', '57P01', '57P02', '57P03', '53300']);

/** The driver's and the socket's words for a connection that went away, or never came. */
const LOST_CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

/**
 * Whether `error` (or an error it wraps) says the database or the connection to it
 * failed for a while, rather than that the work itself is wrong: a PostgreSQL restart
 * or failover, a backend ended by an administrator, a network cut. The socket codes are
 * not the database's alone: a connection refused or reset by the S3 store during a
 * dataset write counts as passing too, and is retried within the attempts.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  const sqlState = postgresErrorCode(error);
  // 08P01, a protocol violation, is what a malformed message gets every time: not passing.
  if (sqlState !== undefined) return (sqlState.startsWith('08') && sqlState !== '08P01') || TRANSIENT_SQLSTATES.has(sqlState);
  for (const code of codesInChain(error)) if (LOST_CONNECTION_CODES.has(code)) return true;
  return false;
}
