/**
 * The rows of a raw `db.execute(sql…)`: postgres.js answers with the rows
 * themselves, PGlite with a result that holds them.
 */
export function rowsOf<Row>(result: unknown): Row[] {
  return (Array.isArray(result) ? result : (result as { rows: Row[] }).rows) as Row[];
}
