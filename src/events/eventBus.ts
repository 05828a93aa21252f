/**
 * The internal event bus: anyone interested in what happens to jobs
 * subscribes. Nobody publishes: every change of a job writes its event and
 * NOTIFYs it in its own transaction (migration 0012), and the one
 * implementation listens for those (databaseEventBus.ts), so it spans processes.
 */
import type { JobEvent } from './jobEvent';

export type JobEventListener = (event: JobEvent) => void;

export interface EventBus {
  /** Returns the function that unsubscribes. */
  subscribe(listener: JobEventListener): () => void;
  /**
   * Calls `listener` when events may have been missed: the bus lost its connection (a
   * restart, a failover) and listens again. What was committed meanwhile is in the outbox
   * only. Returns the function that unsubscribes.
   */
  onMissedEvents(listener: () => void): () => void;
}
