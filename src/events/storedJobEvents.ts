/**
 * Reading the outbox (`export_job_events`): the pages a subscription replays
 * and `jobEvents` lists. Both walk the `id` order, which for one job is also
 * its `sequence` order (a job's events are written under its row lock), and
 * for a tenant its commit order (migration 0015).
 */
import { and, asc, eq, gt, inArray, type SQL } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { exportJobEvents, exportJobs, type ExportJobEventRow, type ExportJobRow } from '../db/schema';
import { jobsOfTenant, ofTenant } from '../db/tenantScope';
import type { ExportJobStatus } from '../jobs/exportJobStatus';
import { progressOfEvent } from '../jobs/progress';
import type { Tenant } from '../tenant';
import type { WatchedJobEvent } from './watchedJobEvent';

export interface StoredEventsQuery {
  tenant: Tenant;
  /** One job's events; undefined: the tenant's. */
  jobId?: number;
  /** Only events whose job was left in one of these statuses. */
  statuses?: ExportJobStatus[] | null;
  /**
   * Where the page starts (null: at the oldest kept event): after an event `id`,
   * or, with `jobId` only, after a `sequence`. A sequence counts one job's
   * events, so over several jobs it would skip other jobs' events numbered lower.
   */
  after?: { id: number } | { sequence: number } | null;
  limit: number;
}

/** One page of stored events, oldest first. */
export async function readStoredEvents(db: AppDatabase, query: StoredEventsQuery): Promise<ExportJobEventRow[]> {
  const conditions: (SQL | undefined)[] = [ofTenant(exportJobEvents, query.tenant)];
  if (query.jobId !== undefined) conditions.push(eq(exportJobEvents.jobId, query.jobId));
  const after = query.after ?? null;
  if (after !== null && 'id' in after) conditions.push(gt(exportJobEvents.id, after.id));
  if (after !== null && 'sequence' in after) {
    if (query.jobId === undefined) throw new Error('A sequence is a position in one job\'s events: give `jobId` with it');
    conditions.push(gt(exportJobEvents.sequence, after.sequence));
  }
  if (query.statuses?.length) conditions.push(inArray(exportJobEvents.status, query.statuses));
  return db
    .select()
    .from(exportJobEvents)
    .where(and(...conditions))
    .orderBy(asc(exportJobEvents.id))
    .limit(query.limit);
}

/**
 * Stored events as a watcher or a list receives them, each with its job as it
 * is now: `job` when they are all of that one job, else the tenant's jobs read
 * in one statement. (A job is never deleted, so every event finds its job.)
 */
export async function watchedEventsOf(
  db: AppDatabase,
  tenant: Tenant,
  events: ExportJobEventRow[],
  job?: ExportJobRow,
): Promise<WatchedJobEvent[]> {
  const ids = [...new Set(events.map((event) => event.jobId))];
  if (ids.length === 0) return [];
  const jobs = job
    ? new Map([[job.id, job]])
    : new Map(
        (await db.select().from(exportJobs).where(and(jobsOfTenant(tenant), inArray(exportJobs.id, ids)))).map(
          (row) => [row.id, row] as const,
        ),
      );
  return events.flatMap((event) => {
    const ofEvent = jobs.get(event.jobId);
    return ofEvent ? [watchedEventOf(event, ofEvent)] : [];
  });
}

/** A stored event as a watcher or a list receives it, with the job as it is now. */
function watchedEventOf(event: ExportJobEventRow, job: ExportJobRow): WatchedJobEvent {
  return {
    id: event.id,
    type: event.type as WatchedJobEvent['type'],
    job,
    status: event.status,
    previousStatus: event.previousStatus,
    progress: progressOfEvent({
      processedProfiles: event.processedProfiles,
      totalProfiles: event.totalProfiles,
      percent: event.percent,
    }),
    sequence: event.sequence,
    occurredAt: event.occurredAt,
  };
}
