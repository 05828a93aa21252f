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

/** The SQLSTATE of `error` or of the first error in its chain of causes that has one. */
export function postgresErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; current = current.cause, depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}
