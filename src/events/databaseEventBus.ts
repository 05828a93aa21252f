/**
 * The event bus over the database's LISTEN/NOTIFY: every process on one
 * PostgreSQL (servers, workers) sees every job event, whoever made the change;
 * on PGlite the same bus works within the process. The NOTIFY is sent by the
 * change's own transaction (migration 0012), so it arrives after the commit,
 * in commit order. Payloads are small (an event, not a job); receivers read
 * the job themselves.
 */
import type { Database } from '../db/database';
import { describeError, type Logger } from '../logger';
import type { EventMetrics } from '../metrics/gatewayMetrics';
import type { EventBus, JobEventListener } from './eventBus';
import { progressOfEvent } from '../jobs/progress';
import type { JobEvent } from './jobEvent';

/** The channel of migration 0012's trigger. */
export const JOB_EVENTS_CHANNEL = 'gw_job_events';

export interface DatabaseEventBus extends EventBus {
  close(): Promise<void>;
}

export async function createDatabaseEventBus(
  database: Database,
  logger: Logger,
  metrics?: Pick<EventMetrics, 'notifications'>,
): Promise<DatabaseEventBus> {
  const listeners = new Set<JobEventListener>();
  const gapListeners = new Set<() => void>();
  const missedEvents = () => {
    logger.warn('Listening for job events again after a lost connection: events of the gap were not heard');
    for (const listener of gapListeners) {
      try {
        listener();
      } catch (error: unknown) {
        logger.error('Job event gap listener failed', { error: describeError(error) });
      }
    }
  };
  const unlisten = await database.listen(JOB_EVENTS_CHANNEL, (payload) => {
    metrics?.notifications.inc();
    let event: JobEvent;
    try {
      const { processedProfiles, totalProfiles, percent, ...parsed } = JSON.parse(payload) as Omit<JobEvent, 'progress'> & {
        occurredAt: string;
        processedProfiles: number;
        totalProfiles: number | null;
        percent: number;
      };
      const progress = progressOfEvent({ processedProfiles, totalProfiles, percent });
      event = { ...parsed, progress, occurredAt: new Date(parsed.occurredAt) };
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
  }, missedEvents);
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onMissedEvents(listener) {
      gapListeners.add(listener);
      return () => gapListeners.delete(listener);
    },
    async close() {
      await unlisten();
      listeners.clear();
      gapListeners.clear();
    },
  };
}
