/**
 * Marks work as background: its statements give way to interactive ones (API
 * calls) where the database has to choose, that is on PGlite, whose one
 * connection runs one statement at a time. On PostgreSQL, with a pool, it
 * changes nothing.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const background = new AsyncLocalStorage<true>();

/** Runs `work`, and everything it starts, as background work. */
export function inBackground<T>(work: () => T): T {
  return background.run(true, work);
}

/** Whether the caller runs inside `inBackground`. */
export function isBackgroundWork(): boolean {
  return background.getStore() === true;
}
