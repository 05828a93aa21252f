/**
 * Fans job events out to watchers (subscriptions). For each event it reads the
 * job once, whoever and however many watch it, then hands each matching
 * watcher its copy. Events are handled in the order they were published, and a
 * watcher never gets an event of a job older than one it already has.
 */
import { eq, sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { exportJobs, type ExportJobRow } from '../db/schema';
import { preparedStatement } from '../db/statementCache';
import { notFound } from '../errors';
import { TERMINAL_STATUSES, type ExportJobStatus } from '../jobs/exportJobStatus';
import { findExportJob } from '../jobs/findExportJob';
import { parseJobId } from '../jobs/jobId';
import { progressOf } from '../jobs/progress';
import { describeError, type Logger } from '../logger';
import type { Tenant } from '../tenant';
import type { EventBus } from './eventBus';
import { eventChannel, type EventChannel } from './eventChannel';
import type { JobEvent } from './jobEvent';
import type { WatchedJobEvent } from './watchedJobEvent';

/** Events a watcher may have queued before the oldest progress is dropped. */
export const WATCHER_QUEUE = 256;

export interface WatchFilter {
  tenant: Tenant;
  /** One job (string id from the client); undefined: all of the tenant's jobs. */
  jobId?: string | null;
  statuses?: ExportJobStatus[] | null;
}

export interface JobEventHub {
  /** The events of one job (a snapshot first) or of a tenant, as an async iterator. */
  watch(filter: WatchFilter): Promise<EventChannel<WatchedJobEvent>>;
  /** Watchers now registered (for tests and metrics). */
  watcherCount(): number;
  close(): void;
}

interface Watcher {
  tenant: Tenant;
  jobId: number | null;
  statuses: Set<string> | null;
  channel: EventChannel<WatchedJobEvent>;
  lastSequence: Map<number, number>;
  /** Completes the watch after a terminal event (single-job watches). */
  endsWithJob: boolean;
}

export function createJobEventHub(db: AppDatabase, bus: EventBus, logger: Logger): JobEventHub {
  // By tenant: an event is only ever for its own tenant's watchers, so it never scans the others.
  const watchersByTenant = new Map<string, Set<Watcher>>();
  const add = (watcher: Watcher) => {
    const key = tenantKey(watcher.tenant);
    const ofTenant = watchersByTenant.get(key) ?? new Set<Watcher>();
    watchersByTenant.set(key, ofTenant.add(watcher));
  };
  const remove = (watcher: Watcher) => {
    const key = tenantKey(watcher.tenant);
    const ofTenant = watchersByTenant.get(key);
    if (ofTenant?.delete(watcher) && ofTenant.size === 0) watchersByTenant.delete(key);
  };
  let handled = Promise.resolve();

  const unsubscribe = bus.subscribe((event) => {
    // One event at a time, in publish order: reads must not overtake each other.
    handled = handled.then(() => dispatch(event)).catch((error: unknown) =>
      logger.error('Delivering a job event failed', { jobId: event.jobId, error: describeError(error) }),
    );
  });

  async function dispatch(event: JobEvent): Promise<void> {
    const ofTenant = watchersByTenant.get(tenantKey(event));
    if (!ofTenant) return;
    const interested = [...ofTenant].filter((watcher) => watcher.jobId === null || watcher.jobId === event.jobId);
    if (interested.length === 0) return;
    const [job] = await findJob(db).execute({ id: event.jobId });
    if (!job) return;
    const { jobId: _id, orgId: _org, sandboxName: _sandbox, ...rest } = event;
    // One object for every watcher: subscriptions that select the same fields can share its result.
    const watched: WatchedJobEvent = { ...rest, job };
    for (const watcher of interested) deliver(watcher, watched);
  }

  function deliver(watcher: Watcher, event: WatchedJobEvent): void {
    const last = watcher.lastSequence.get(event.job.id) ?? 0;
    if (event.sequence <= last) return;
    watcher.lastSequence.set(event.job.id, event.sequence);
    const terminal = TERMINAL_STATUSES.includes(event.status);
    // A snapshot always goes out; other events only in the statuses asked for. A watch of
    // one job ends with its terminal event even when its status filter leaves that out.
    if (event.type === 'SNAPSHOT' || watcher.statuses === null || watcher.statuses.has(event.status)) {
      watcher.channel.push(event);
    }
    if (watcher.endsWithJob && terminal) watcher.channel.end();
  }

  return {
    async watch(filter) {
      const requestedId = filter.jobId ?? null;
      const missing = () => notFound(`Export job ${JSON.stringify(requestedId)} does not exist`);
      const jobId = requestedId === null ? null : parseJobId(requestedId);
      if (requestedId !== null && jobId === null) throw missing();
      const watcher: Watcher = {
        tenant: filter.tenant,
        jobId,
        statuses: filter.statuses?.length ? new Set(filter.statuses) : null,
        lastSequence: new Map(),
        endsWithJob: jobId !== null,
        channel: eventChannel<WatchedJobEvent>({
          capacity: WATCHER_QUEUE,
          droppable: (event) => event.type === 'PROGRESS',
          onClose: () => remove(watcher),
        }),
      };
      // Registered before the snapshot is read, so no change can fall between the two.
      add(watcher);
      if (requestedId !== null) {
        // Every way out but a delivered snapshot unregisters the watcher: a failed read too.
        let job: ExportJobRow | null;
        try {
          job = await findExportJob(db, filter.tenant, requestedId);
        } catch (error: unknown) {
          remove(watcher);
          throw new Error(`Reading export job ${requestedId} for a watch failed`, { cause: error });
        }
        if (!job) {
          remove(watcher);
          throw missing();
        }
        deliver(watcher, snapshotOf(job));
      }
      return watcher.channel;
    },
    watcherCount: () => {
      let count = 0;
      for (const ofTenant of watchersByTenant.values()) count += ofTenant.size;
      return count;
    },
    close() {
      unsubscribe();
      for (const ofTenant of [...watchersByTenant.values()]) for (const watcher of [...ofTenant]) watcher.channel.end();
    },
  };
}

function tenantKey({ orgId, sandboxName }: Tenant): string {
  return `${orgId}\n${sandboxName}`;
}

function snapshotOf(job: ExportJobRow): WatchedJobEvent {
  return {
    type: 'SNAPSHOT',
    job,
    status: job.status as ExportJobStatus,
    previousStatus: null,
    progress: progressOf(job),
    sequence: job.eventSequence,
    occurredAt: new Date(),
  };
}

const findJob = preparedStatement((db) =>
  db.select().from(exportJobs).where(eq(exportJobs.id, sql.placeholder('id'))).prepare('hub_find_job'),
);

