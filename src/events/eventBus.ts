/**
 * The internal event bus: the runner and the API publish what happens to jobs,
 * anyone interested subscribes. The one implementation rides on the database's
 * LISTEN/NOTIFY (databaseEventBus.ts), so it spans processes.
 */
import type { JobEvent } from './jobEvent';

export type JobEventListener = (event: JobEvent) => void;

export interface EventBus {
  publish(event: JobEvent): void;
  /** Returns the function that unsubscribes. */
  subscribe(listener: JobEventListener): () => void;
}
