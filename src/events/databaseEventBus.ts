/**
 * The event bus over the database's LISTEN/NOTIFY: every process on one
 * PostgreSQL (servers, workers) sees every job event, whoever published it;
 * on PGlite the same bus works within the process. Payloads are small (an
 * event, not a job); receivers read the job themselves.
 */
import type { Database } from '../db/database';
import { describeError, type Logger } from '../logger';
import type { EventBus, JobEventListener } from './eventBus';
import type { JobEvent } from './jobEvent';

const CHANNEL = 'gw_job_events';

export interface DatabaseEventBus extends EventBus {
  close(): Promise<void>;
}

export async function createDatabaseEventBus(database: Database, logger: Logger): Promise<DatabaseEventBus> {
  const listeners = new Set<JobEventListener>();
  const unlisten = await database.listen(CHANNEL, (payload) => {
    let event: JobEvent;
    try {
      const parsed = JSON.parse(payload) as JobEvent & { occurredAt: string };
      event = { ...parsed, occurredAt: new Date(parsed.occurredAt) };
    } catch (error: unknown) {
      logger.error('Unreadable job event', { payload, error: describeError(error) });
      return;
    }
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error: unknown) {
        logger.error('Job event listener failed', { jobId: event.jobId, error: describeError(error) });
      }
    }
  });
  // One NOTIFY at a time: notifications arrive in commit order, so this keeps a
  // process's events in the order it published them.
  let sent = Promise.resolve();
  return {
    publish(event) {
      sent = sent
        .then(() => database.notify(CHANNEL, JSON.stringify(event)))
        .catch((error: unknown) =>
          logger.error('Publishing a job event failed', { jobId: event.jobId, error: describeError(error) }),
        );
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      await sent;
      await unlisten();
      listeners.clear();
    },
  };
}
