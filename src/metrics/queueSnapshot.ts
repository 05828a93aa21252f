/**
 * The queue as the gauges show it: jobs that want or have work (NEW,
 * PROCESSING, CANCELLING), those whose lease has run out, the age of the
 * oldest NEW job, and the parts of sharded exports waiting or running. One statement over the runner's partial queue index
 * (`export_jobs_queue_idx`), so its cost follows the queue, not the history;
 * cached for a few seconds, so scrapes from several Prometheus servers (or
 * every worker) cost one statement per window, and answered from the last
 * snapshot when the database is too busy to answer soon, or fails.
 *
 * Terminal statuses are not counted here: no index covers them, and counting
 * them would read every job ever run. Their totals are counters instead
 * (`gateway_export_jobs_finished_total`).
 */
import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import type { ExportJobStatus, PartStatus } from '../db/statuses';

export const QUEUE_STATUSES = ['NEW', 'PROCESSING', 'CANCELLING'] as const satisfies readonly ExportJobStatus[];
export type QueueStatus = (typeof QUEUE_STATUSES)[number];

/** Parts of sharded exports not yet read to their end: waiting for a runner, or held by one. */
export const OPEN_PART_STATUSES = ['PENDING', 'RUNNING'] as const satisfies readonly PartStatus[];
export type OpenPartStatus = (typeof OPEN_PART_STATUSES)[number];

export interface QueueSnapshot {
  jobs: Record<QueueStatus, number>;
  parts: Record<OpenPartStatus, number>;
  /** PROCESSING or CANCELLING jobs whose lease has passed: their runner died, or none is left. */
  leaseExpired: number;
  /** How long the oldest NEW job has waited; 0 when none waits. */
  oldestNewAgeSeconds: number;
  /** When it was read (ms since the epoch): a scrape may answer an older one (the database busy or down). */
  readAt: number;
}

/** How long one snapshot answers every scrape. */
export const QUEUE_SNAPSHOT_TTL_MS = 5_000;

/**
 * How long a scrape waits for a fresh snapshot once it has an older one. A
 * database busy with one long statement (PGlite's one connection, a full
 * pool) must not hold the scrape until Prometheus times it out, or deadlock a
 * caller that scrapes while holding that connection: past this wait the scrape
 * answers the last snapshot, and the read lands for the next one.
 */
export const QUEUE_SNAPSHOT_WAIT_MS = 1_000;

/**
 * A reader of the snapshot that queries at most once per `ttlMs`; concurrent
 * scrapes share one query. Without any snapshot yet (a process just started),
 * a scrape gives up after `waitMs` too, and rejects: its gauges are left out
 * rather than the scrape held, and with SERVER_PROCESSES the cluster's
 * aggregate, which gives every process 5 s, failed whole behind one of them.
 */
export function cachedQueueSnapshot(
  db: AppDatabase,
  ttlMs = QUEUE_SNAPSHOT_TTL_MS,
  waitMs = QUEUE_SNAPSHOT_WAIT_MS,
): () => Promise<QueueSnapshot> {
  let last: QueueSnapshot | undefined;
  let lastAt = -Infinity;
  let reading: Promise<QueueSnapshot> | undefined;
  const refresh = () => {
    if (!reading) {
      const startedAt = Date.now();
      reading = readQueueSnapshot(db).then(
        (snapshot) => {
          last = snapshot;
          lastAt = startedAt;
          reading = undefined;
          return snapshot;
        },
        (error: unknown) => {
          // A failed read is not kept: the next scrape tries again.
          reading = undefined;
          throw error;
        },
      );
    }
    return reading;
  };
  return async () => {
    if (last && Date.now() - lastAt < ttlMs) return last;
    const fresh = refresh();
    let timer: NodeJS.Timeout | undefined;
    if (!last) {
      const gaveUp = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`No queue snapshot yet: the database did not answer within ${waitMs} ms`)), waitMs);
      });
      return Promise.race([fresh, gaveUp]).finally(() => clearTimeout(timer));
    }
    const stale = last;
    const waited = new Promise<QueueSnapshot>((resolve) => (timer = setTimeout(resolve, waitMs, stale)));
    // A read that fails (a restart, a refused connection) answers the last snapshot too.
    return Promise.race([fresh.catch(() => stale), waited]).finally(() => clearTimeout(timer));
  };
}

export async function readQueueSnapshot(db: AppDatabase): Promise<QueueSnapshot> {
  const readAt = Date.now();
  // Each predicate is its partial index's own, word for word, so the planner can use it
  // (export_jobs_queue_idx, export_job_parts_queue_idx).
  const rows = await db.execute<{
    kind: 'job' | 'part';
    status: QueueStatus | OpenPartStatus;
    n: number;
    lease_expired: number;
    oldest_age: number | null;
  }>(sql`
    select 'job' as kind, status, count(*)::int as n,
           (count(*) filter (where locked_until < now()))::int as lease_expired,
           extract(epoch from now() - min(creation_time))::float8 as oldest_age
    from export_jobs
    where status in ('NEW', 'PROCESSING', 'CANCELLING')
    group by status
    union all
    select 'part', status, count(*)::int, 0, null
    from export_job_parts
    where status in ('PENDING', 'RUNNING')
    group by status`);
  const snapshot: QueueSnapshot = {
    jobs: { NEW: 0, PROCESSING: 0, CANCELLING: 0 },
    parts: { PENDING: 0, RUNNING: 0 },
    leaseExpired: 0,
    oldestNewAgeSeconds: 0,
    readAt,
  };
  for (const row of rows) {
    if (row.kind === 'part') {
      snapshot.parts[row.status as OpenPartStatus] = Number(row.n);
      continue;
    }
    snapshot.jobs[row.status as QueueStatus] = Number(row.n);
    if (row.status === 'NEW') snapshot.oldestNewAgeSeconds = Math.max(0, Number(row.oldest_age ?? 0));
    else snapshot.leaseExpired += Number(row.lease_expired);
  }
  return snapshot;
}
