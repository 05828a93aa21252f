/** drizzle's DrizzleQueryError: the statement, and every value bound to it (which may be a secret or a caller's data). */
export function isFailedQuery(error: Error): error is Error & { query: string; params: unknown[] } {
  const { query, params } = error as Partial<{ query: unknown; params: unknown }>;
  return typeof query === 'string' && Array.isArray(params);
}
