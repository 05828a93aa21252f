/**
 * Fans job events out to watchers (subscriptions). For each event it reads the
 * job once, whoever and however many watch it, then hands each matching
 * watcher its copy. Events are handled in the order they arrive (commit order),
 * and a watcher never gets an event of a job older than one it already has.
 *
 * A watch can resume: it first replays the stored events after a point (the
 * outbox, `export_job_events`), then goes on with live ones. The watcher is
 * registered before the replay is read, so live events that arrive meanwhile
 * wait in its queue; the per-job `sequence` drops those the replay already had.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { and, eq, sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { exportJobEventPruneMarks, exportJobEvents, exportJobs, type ExportJobRow } from '../db/schema';
import { preparedStatement } from '../db/statementCache';
import { ofTenant } from '../db/tenantScope';
import { isTransientDatabaseError } from '../db/postgresErrors';
import { badUserInput, ErrorCode, GatewayError, notFound, serviceUnavailable } from '../errors';
import { TERMINAL_STATUSES, type ExportJobStatus } from '../jobs/exportJobStatus';
import { findExportJob } from '../jobs/findExportJob';
import { parseJobId } from '../jobs/jobId';
import { progressOf } from '../jobs/progress';
import { describeError, type Logger } from '../logger';
import type { EventMetrics } from '../metrics/gatewayMetrics';
import type { Tenant } from '../tenant';
import type { EventBus } from './eventBus';
import { eventChannel, type EventChannel } from './eventChannel';
import type { JobEvent } from './jobEvent';
import { readStoredEvents, watchedEventsOf, type StoredEventsQuery } from './storedJobEvents';
import type { WatchedJobEvent } from './watchedJobEvent';

// Watchers handed an event before the loop takes a turn: about 2 ms of their socket writes
// (~17 µs each here, nearly all the kernel's), so the runner's statements never wait longer.
const FAN_OUT_BATCH = 100;
/** Reads of an event's job after a passing database error: 200, 400, 600, 800 ms apart, 2 s in all. */
const READ_ATTEMPTS = 5;
const READ_RETRY_MS = 200;

/** Events a watcher may have queued before the oldest progress is dropped. */
export const WATCHER_QUEUE = 256;

/** Stored events read at once while replaying. */
export const REPLAY_PAGE = 100;

export interface WatchFilter {
  tenant: Tenant;
  /** One job (string id from the client); undefined: all of the tenant's jobs. */
  jobId?: string | null;
  statuses?: ExportJobStatus[] | null;
  /** With `jobId`: replay the job's events after this sequence instead of sending a snapshot. */
  afterSequence?: number | null;
  /** Without `jobId`: replay the tenant's events after this event id first. */
  afterEventId?: number | null;
}

/** A watch: the events, as an async iterator that ends at once on `return()`. */
export interface JobWatch extends AsyncIterableIterator<WatchedJobEvent> {
  /** Live events waiting to be pulled. */
  queued(): number;
  /** Jobs whose newest sequence the watch keeps to drop repeats (for tests): a tenant's watch forgets those that ended. */
  trackedJobs(): number;
  /**
   * Instead of being pulled, hands every event to `consumer` as it comes: the
   * replay's first, then each live one synchronously from the hub's fan-out (no
   * queue, no promise per event). Resolves when the watch ends, as `next()`
   * would answer done. Progress is dropped while the consumer is congested.
   */
  deliverLive(consumer: LiveConsumer): Promise<void>;
}

/** Who takes a watch's events as they come (`JobWatch.deliverLive`). */
export interface LiveConsumer {
  deliver(event: WatchedJobEvent): void;
  /** Whether it is behind (its client reads slower than events come): progress then skips it. */
  congested(): boolean;
}

export interface JobEventHub {
  /** The events of one job (a snapshot or a replay first) or of a tenant (a replay first, if asked). */
  watch(filter: WatchFilter): Promise<JobWatch>;
  /** Watchers now registered (for tests and metrics). */
  watcherCount(): number;
  close(): void;
}

interface Watcher {
  tenant: Tenant;
  jobId: number | null;
  statuses: Set<ExportJobStatus> | null;
  channel: EventChannel<WatchedJobEvent>;
  /** The newest sequence handed out, per job: anything not newer is dropped when pulled. */
  lastSequence: Map<number, number>;
  /** Completes the watch after a terminal event (single-job watches). */
  endsWithJob: boolean;
  /**
   * Set once the watch's events go straight to a consumer (`deliverLive`) rather than the
   * channel; `end(error)` makes `deliverLive` reject with it.
   */
  direct: { consumer: LiveConsumer; deliver(event: WatchedJobEvent): void; end(error?: unknown): void } | null;
}

export function createJobEventHub(
  db: AppDatabase,
  bus: EventBus,
  logger: Logger,
  metrics?: Pick<EventMetrics, 'deliveryLag' | 'progressSkipped'>,
): JobEventHub {
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
  // Progress events waiting for their turn, by job and status: one that a newer one already
  // follows is stale before it is sent, and is not fanned out (see dispatch).
  const progressWaiting = new Map<string, number>();
  const progressKey = (event: JobEvent) => `${event.jobId}\n${event.status}`;

  const unsubscribe = bus.subscribe((event) => {
    if (event.type === 'PROGRESS') progressWaiting.set(progressKey(event), (progressWaiting.get(progressKey(event)) ?? 0) + 1);
    // One event at a time, in arrival order: reads must not overtake each other.
    handled = handled.then(() => dispatch(event)).catch((error: unknown) =>
      logger.error('Delivering a job event failed', { jobId: event.jobId, error: describeError(error) }),
    );
  });

  // A gap in what the bus heard (its LISTEN connection was lost and is back): a watcher may
  // wait for an event that will never come live. Once the events heard before the gap are
  // handed out, every watcher ends with an error that says to come back, and resumes from
  // its last sequence or event id, replayed from the stored events, which hold the gap's.
  const stopHearingGaps = bus.onMissedEvents(() => {
    handled = handled
      .then(() => {
        for (const ofTenant of [...watchersByTenant.values()]) {
          for (const watcher of [...ofTenant]) endWatch(watcher, liveEventsMissed());
        }
      })
      .catch((error: unknown) => logger.error('Ending watchers after a gap in job events failed', { error: describeError(error) }));
  });

  /** Whether a newer progress event of the same job, in the same status, waits behind this one. */
  function superseded(event: JobEvent): boolean {
    if (event.type !== 'PROGRESS') return false;
    const key = progressKey(event);
    const waiting = (progressWaiting.get(key) ?? 1) - 1;
    if (waiting > 0) progressWaiting.set(key, waiting);
    else progressWaiting.delete(key);
    return waiting > 0;
  }

  async function dispatch(event: JobEvent): Promise<void> {
    // When the fan-out falls behind (thousands of watchers on too few cores), progress that is
    // already stale is skipped rather than sent late: every watcher it would reach gets the newer
    // one, and a status change is never skipped. Replays (the outbox) still hold every event.
    if (superseded(event)) {
      metrics?.progressSkipped.inc();
      return;
    }
    const ofTenant = watchersByTenant.get(tenantKey(event));
    if (!ofTenant) return;
    const interested = [...ofTenant].filter((watcher) => watcher.jobId === null || watcher.jobId === event.jobId);
    if (interested.length === 0) return;
    let job: ExportJobRow | undefined;
    try {
      job = await readJobRetrying(event.jobId);
    } catch (error: unknown) {
      // Never lost in silence: each watcher that would have had the event ends with an error
      // that says to come back, and resumes from its last sequence or event id (replayed from
      // the stored events) instead of waiting for an event that will not come.
      logger.error('Reading the job of an event failed; its watchers end', { jobId: event.jobId, error: describeError(error) });
      for (const watcher of interested) endWatch(watcher, serviceUnavailable());
      return;
    }
    if (!job) return;
    const { jobId: _id, orgId: _org, sandboxName: _sandbox, ...rest } = event;
    // One object for every watcher: subscriptions that select the same fields can share its result
    // (http/sharedSubscriptionExecution.ts). Every field of it depends on the event alone; what a
    // result may take from the subscriber is its sharing scope (sharingScopeOf, src/context.ts).
    const watched: WatchedJobEvent = { ...rest, job };
    // 10,000 watchers held the event loop for the whole fan-out, event after event, and the
    // export they watched (its statements' answers are I/O) crawled. In batches, with a turn of
    // the loop between them, everything else goes on while an event fans out.
    for (let start = 0; start < interested.length; start += FAN_OUT_BATCH) {
      if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      for (const watcher of interested.slice(start, start + FAN_OUT_BATCH)) push(watcher, watched);
    }
    metrics?.deliveryLag.observe(Math.max(0, Date.now() - event.occurredAt.getTime()) / 1000);
  }

  /**
   * The job of an event, read again after a passing database error (a restart, a failover):
   * the events behind this one wait meanwhile, so that none overtakes it.
   */
  async function readJobRetrying(jobId: number): Promise<ExportJobRow | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        const [job] = await findJob(db).execute({ id: jobId });
        return job;
      } catch (error: unknown) {
        if (!isTransientDatabaseError(error) || attempt >= READ_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, READ_RETRY_MS * attempt));
      }
    }
  }

  /** Ends a watch, with `error` if given (its client hears it and may resume), wherever its events go. */
  function endWatch(watcher: Watcher, error?: Error): void {
    if (watcher.direct) watcher.direct.end(error);
    else watcher.channel.end(error);
  }

  /** Queues an event the watcher asked for; dropping what it has seen happens when it is pulled. */
  function push(watcher: Watcher, event: WatchedJobEvent): void {
    // A snapshot always goes out; other events only in the statuses asked for. A watch of
    // one job ends with its terminal event even when its status filter leaves that out.
    const wanted = event.type === 'SNAPSHOT' || watcher.statuses === null || watcher.statuses.has(event.status);
    const ends = watcher.endsWithJob && TERMINAL_STATUSES.includes(event.status);
    const { direct } = watcher;
    if (direct) {
      // The channel's rule for a full queue, at the socket: a congested consumer skips progress.
      try {
        if (wanted && !(event.type === 'PROGRESS' && direct.consumer.congested())) direct.deliver(event);
      } catch (error: unknown) {
        // One consumer's failure must not cost the watchers after it their event: it alone ends.
        logger.error('Handing a job event to a subscriber failed', { jobId: event.job.id, error: describeError(error) });
        direct.end(error);
      }
      if (ends) direct.end();
      return;
    }
    if (wanted) watcher.channel.push(event);
    if (ends) watcher.channel.end();
  }

  /** The replay of a watch, one page at a time; null once there is nothing more. */
  function replayOf(watcher: Watcher, filter: WatchFilter, job: ExportJobRow | null): () => Promise<WatchedJobEvent[] | null> {
    // A job's replay pages by its sequence, the tenant's by event id alone: a sequence counts
    // one job's events, so as the bound of the tenant's next page it would drop other jobs' events.
    let after: StoredEventsQuery['after'] = null;
    if (job && filter.afterSequence != null) after = { sequence: filter.afterSequence };
    if (!job && filter.afterEventId != null) after = { id: filter.afterEventId };
    let finished = false;
    return async () => {
      if (finished) return null;
      const rows = await readStoredEvents(db, {
        tenant: watcher.tenant,
        jobId: job?.id,
        statuses: watcher.statuses ? [...watcher.statuses] : null,
        after,
        limit: REPLAY_PAGE,
      });
      finished = rows.length < REPLAY_PAGE;
      const last = rows.at(-1);
      if (!last) return null;
      after = job ? { sequence: last.sequence } : { id: last.id };
      return watchedEventsOf(db, watcher.tenant, rows, job ?? undefined);
    };
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
        direct: null,
        channel: eventChannel<WatchedJobEvent>({
          capacity: WATCHER_QUEUE,
          droppable: (event) => event.type === 'PROGRESS',
          onClose: () => remove(watcher),
        }),
      };
      // Registered before the snapshot or the replay is read, so no change can fall between.
      add(watcher);
      if (requestedId === null) {
        if (filter.afterEventId == null) return replayThenLive(watcher, null);
        let kept: boolean;
        try {
          kept = (await findResumableEvent(db).execute({ id: filter.afterEventId, ...filter.tenant })).length > 0;
        } catch (error: unknown) {
          remove(watcher);
          throw new Error('Reading the event to resume after failed', { cause: error });
        }
        if (!kept) {
          // Pruned, or something after it was: a tenant's stream has no snapshot to offer.
          remove(watcher);
          throw badUserInput(
            'after',
            'The event `after` names, or one after it, is no longer kept (EVENT_RETENTION_DAYS): read the jobs again and subscribe without `after`',
          );
        }
        return replayThenLive(watcher, replayOf(watcher, filter, null));
      }
      // Every way out but a started watch unregisters the watcher: a failed read too.
      let job: ExportJobRow | null;
      let resumable: boolean;
      try {
        job = await findExportJob(db, filter.tenant, requestedId);
        resumable = job !== null && filter.afterSequence != null && (await keptSince(db, job, filter.afterSequence));
      } catch (error: unknown) {
        remove(watcher);
        throw new Error(`Reading export job ${requestedId} for a watch failed`, { cause: error });
      }
      if (!job) {
        remove(watcher);
        throw missing();
      }
      // Events are numbered as they commit, so a client cannot have seen one past the job's
      // latest: such a sequence (another job's, most likely) would hide every event up to it.
      if (filter.afterSequence != null && filter.afterSequence > job.eventSequence) {
        remove(watcher);
        throw badUserInput(
          'afterSequence',
          `Export job ${job.id}'s events go up to sequence ${job.eventSequence}: \`afterSequence\` ${filter.afterSequence} is past them, perhaps another job's`,
        );
      }
      if (!resumable) {
        // Nothing to resume from, or its events are no longer kept: the job as it is, given
        // as the watch's replay so that it comes before any live event that queued while the
        // job was read (which its sequence then drops, as the snapshot already shows them).
        const snapshot = snapshotOf(job);
        let given = false;
        return replayThenLive(watcher, async () => (given ? null : ((given = true), [snapshot])));
      }
      watcher.lastSequence.set(job.id, filter.afterSequence!);
      // A job that had ended when it was read has no event to come: the watch ends with the replay.
      const ended = TERMINAL_STATUSES.includes(job.status);
      return replayThenLive(watcher, replayOf(watcher, filter, job), ended);
    },
    watcherCount: () => {
      let count = 0;
      for (const ofTenant of watchersByTenant.values()) count += ofTenant.size;
      return count;
    },
    close() {
      unsubscribe();
      stopHearingGaps();
      for (const ofTenant of [...watchersByTenant.values()]) {
        for (const watcher of [...ofTenant]) endWatch(watcher);
      }
    },
  };
}

/**
 * The watch's iterator: the replay's pages first, then the live queue. Each
 * event passes the per-job sequence check as it is taken, which is what makes
 * the seam exact: a live event that the replay already gave is not newer.
 */
function replayThenLive(
  watcher: Watcher,
  replay: (() => Promise<WatchedJobEvent[] | null>) | null,
  endsWithReplay = false,
): JobWatch {
  let page: WatchedJobEvent[] = [];
  let replaying = replay !== null;
  let finished = false;
  let liveEnded: ((error?: unknown) => void) | undefined;
  const done = (): IteratorResult<WatchedJobEvent> => ({ value: undefined, done: true });
  /** Ends the watch and frees the watcher; with an error, a live delivery ends with it. */
  const finish = (error?: unknown) => {
    finished = true;
    void watcher.channel.return?.();
    liveEnded?.(error);
  };
  /** Whether the event is newer than what this watch gave of its job; a one-job watch ends with its terminal event. */
  const admit = (event: WatchedJobEvent): boolean => {
    const last = watcher.lastSequence.get(event.job.id) ?? 0;
    if (event.sequence <= last) return false;
    watcher.lastSequence.set(event.job.id, event.sequence);
    if (TERMINAL_STATUSES.includes(event.status)) {
      if (watcher.endsWithJob) finish();
      // A tenant's watch outlives its jobs: one that ended is forgotten, or the map would hold
      // every job the watch ever saw. Not while the replay runs: a live event queued meanwhile
      // may repeat one it gave. Live events come once each, in order.
      else if (!replaying) watcher.lastSequence.delete(event.job.id);
    }
    return true;
  };
  /** The replay's next event; null once it is spent or the watch has finished. */
  const nextReplayed = async (): Promise<WatchedJobEvent | null> => {
    while (replaying && !finished) {
      if (page.length > 0) return page.shift()!;
      let next: WatchedJobEvent[] | null;
      try {
        next = await replay!();
      } catch (error: unknown) {
        finish();
        throw error;
      }
      if (next !== null) page = next;
      else if (endsWithReplay) finish();
      else replaying = false;
    }
    return null;
  };
  const iterator: JobWatch = {
    async next() {
      for (;;) {
        if (finished) return done();
        let event = await nextReplayed();
        if (event === null) {
          if (finished) return done();
          const item = await watcher.channel.next();
          if (item.done) {
            finished = true;
            return done();
          }
          event = item.value;
        }
        if (finished) return done(); // ended while this pull waited
        if (admit(event)) return { value: event, done: false };
      }
    },
    return() {
      finish();
      return Promise.resolve(done());
    },
    queued: () => watcher.channel.queued(),
    trackedJobs: () => watcher.lastSequence.size,
    async deliverLive(consumer) {
      try {
        // Stored events are read as fast as the database answers them, and a client reads at
        // its link's pace: wait for it rather than overrun its socket, which would be closed.
        // Once, at most REPLAY_DRAIN_WAIT_MS: a client that stopped reading altogether is then
        // left to the sender's own bound, as for live events.
        let patient = true;
        for (let event = await nextReplayed(); event !== null; event = await nextReplayed()) {
          if (patient && consumer.congested()) patient = await untilUncongested(consumer, () => finished);
          if (!finished && admit(event)) consumer.deliver(event);
        }
        if (finished) return;
        // Live events that queued while the replay was read go first, then the hub hands them over.
        const { items, ended, failure } = watcher.channel.takeQueued();
        for (const event of items) if (!finished && admit(event)) consumer.deliver(event);
        if (ended) {
          finish();
          // Ended with an error while the replay was read (endWatch): the client must hear it, not a completion.
          if (failure) throw failure;
        }
      } catch (error: unknown) {
        // Nobody pulls a watch that failed here: it must not stay registered.
        finish();
        throw error;
      }
      if (finished) return;
      const live = new Promise<void>((resolve, reject) => {
        liveEnded = (error) => (error === undefined ? resolve() : reject(error));
      });
      watcher.direct = {
        consumer,
        deliver: (event) => {
          if (!finished && admit(event)) consumer.deliver(event);
        },
        end: finish,
      };
      return live;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/**
 * How long a replay waits, at most, for a congested consumer to catch up before it sends
 * on: a client that has stopped reading altogether is then closed by the sender's own
 * bound (webSocketSender.ts), as it would be for live events.
 */
export const REPLAY_DRAIN_WAIT_MS = 30_000;

/**
 * Resolves once `consumer` is no longer congested or `finished()`: true; or false once
 * REPLAY_DRAIN_WAIT_MS has passed with it still congested.
 */
async function untilUncongested(consumer: LiveConsumer, finished: () => boolean): Promise<boolean> {
  const deadline = performance.now() + REPLAY_DRAIN_WAIT_MS;
  while (consumer.congested() && !finished()) {
    if (performance.now() >= deadline) return false;
    await sleep(10);
  }
  return true;
}

/**
 * Whether the job's events after `afterSequence`, up to its latest, are all still kept.
 * Counted, not only the oldest looked at: pruning keeps an event a webhook is still to be
 * sent, so an early event may outlive the later ones, and the replay would skip the gap.
 */
async function keptSince(db: AppDatabase, job: ExportJobRow, afterSequence: number): Promise<boolean> {
  const missed = job.eventSequence - afterSequence;
  if (missed <= 0) return true;
  const [row] = await countKeptEvents(db).execute({ jobId: job.id, after: afterSequence, upTo: job.eventSequence });
  return Number(row?.kept ?? 0) === missed;
}

/**
 * SERVICE_UNAVAILABLE, as after a failed read of an event's job: the client resumes. Every
 * watcher of the server hears it at once, after a failover: their resumes are spread over
 * 1 to 5 seconds rather than all reading the recovering database in the same second.
 */
function liveEventsMissed(): GatewayError {
  return new GatewayError(
    ErrorCode.SERVICE_UNAVAILABLE,
    'Live events were interrupted (the database connection was lost): subscribe again with `afterSequence` or `after` to resume from the stored events',
    { retryAfter: 1 + Math.floor(Math.random() * 5) },
  );
}

function tenantKey({ orgId, sandboxName }: Tenant): string {
  return `${orgId}\n${sandboxName}`;
}

function snapshotOf(job: ExportJobRow): WatchedJobEvent {
  return {
    id: null,
    type: 'SNAPSHOT',
    job,
    status: job.status,
    previousStatus: null,
    progress: progressOf(job),
    sequence: job.eventSequence,
    occurredAt: new Date(),
  };
}

const findJob = preparedStatement((db) =>
  db.select().from(exportJobs).where(eq(exportJobs.id, sql.placeholder('id'))).prepare('hub_find_job'),
);

/**
 * The event a tenant's stream resumes after, if it is kept and nothing of the tenant's
 * after it was pruned: pruning keeps an event a webhook still owes and goes by time, so an
 * event may outlive later ones, and the replay would skip the gap.
 */
const findResumableEvent = preparedStatement((db) =>
  db
    .select({ id: exportJobEvents.id })
    .from(exportJobEvents)
    .where(
      and(
        eq(exportJobEvents.id, sql.placeholder('id')),
        ofTenant(exportJobEvents),
        sql`not exists (select 1 from ${exportJobEventPruneMarks} m
          where m.org_id = ${exportJobEvents.orgId} and m.sandbox_name = ${exportJobEvents.sandboxName}
            and m.pruned_through > ${exportJobEvents.id})`,
      ),
    )
    .prepare('hub_find_resumable_event'),
);

const countKeptEvents = preparedStatement((db) =>
  db
    .select({ kept: sql<number | string>`count(*)` })
    .from(exportJobEvents)
    .where(
      and(
        eq(exportJobEvents.jobId, sql.placeholder('jobId')),
        sql`${exportJobEvents.sequence} > ${sql.placeholder('after')}`,
        sql`${exportJobEvents.sequence} <= ${sql.placeholder('upTo')}`,
      ),
    )
    .prepare('hub_kept_event_count'),
);
