/**
 * How long the database itself spent on a statement, where the driver knows
 * it apart from the wait for its turn: the PGlite thread runs one statement at
 * a time, so there a statement's wall time includes the statements queued
 * before it. Work sized by time (chunkSizer) wants the statement's own time.
 */
const EXECUTION_MS = Symbol('executionMs');

/** Marks a result with the statement's own time. */
export function withExecutionTime<Result extends object>(result: Result, executionMs: number): Result {
  Object.defineProperty(result, EXECUTION_MS, { value: executionMs, enumerable: false });
  return result;
}

/** The statement's own time if its result carries it (PGlite), otherwise `wallMs` (PostgreSQL: a connection of its own). */
export function executionTimeOf(result: unknown, wallMs: number): number {
  const own = (result as { [EXECUTION_MS]?: number } | null)?.[EXECUTION_MS];
  return typeof own === 'number' ? own : wallMs;
}
