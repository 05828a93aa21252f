/**
 * Marks work as background: its statements give way to interactive ones (API
 * calls) where the database has to choose, that is on PGlite, whose one
 * connection runs one statement at a time. On PostgreSQL, with a pool, it
 * changes nothing.
 */
import { currentStore, runWithStore } from '../context/asyncContext';

/** Runs `work`, and everything it starts, as background work. */
export function inBackground<T>(work: () => T): T {
  return runWithStore({ background: true }, work);
}

/** Whether the caller runs inside `inBackground`. */
export function isBackgroundWork(): boolean {
  return currentStore().background === true;
}
