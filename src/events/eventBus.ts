/**
 * The internal event bus: the runner publishes what happens to jobs, anyone
 * interested subscribes. In process for now; a listener that throws never
 * stops the others.
 */
import type { Logger } from '../logger';
import { describeError } from '../logger';
import type { JobEvent } from './jobEvent';

export type JobEventListener = (event: JobEvent) => void;

export interface EventBus {
  publish(event: JobEvent): void;
  /** Returns the function that unsubscribes. */
  subscribe(listener: JobEventListener): () => void;
}

export function createInProcessEventBus(logger: Logger): EventBus {
  const listeners = new Set<JobEventListener>();
  return {
    publish(event) {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (error: unknown) {
          logger.error('Job event listener failed', { jobId: event.jobId, error: describeError(error) });
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
