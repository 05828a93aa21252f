/**
 * Retention of the outbox: job events older than EVENT_RETENTION_DAYS, and
 * webhook delivery attempts as old, are deleted a bounded step at a time, so
 * no statement holds a lock (or PGlite's one connection) for long. An event a
 * webhook has still to be sent is kept until it is sent or given up. Each step
 * marks, per tenant, the highest id it deleted (export_job_event_prune_marks):
 * a resume of the tenant's stream from below it is refused, not given a gap.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { startPeriodic, type PeriodicWork } from '../db/periodicWork';
import type { Logger } from '../logger';
import type { EventOptions } from './eventOptions';

/** Rows one statement deletes at most. */
export const PRUNE_STEP = 1_000;

export type EventPruning = PeriodicWork;

/** Prunes now, then every `intervalMs` (default an hour), until stopped. */
export function startEventPruning(deps: {
  db: AppDatabase;
  logger: Logger;
  options: EventOptions;
  intervalMs?: number;
}): EventPruning {
  return startPeriodic({
    intervalMs: deps.intervalMs ?? 60 * 60 * 1000,
    logger: deps.logger,
    failureMessage: 'Pruning old job events failed',
    round: async (stopped) => {
      const removed = await pruneEvents(deps.db, deps.options, stopped);
      if (removed.events + removed.deliveries > 0) deps.logger.info('Old job events pruned', removed);
    },
  });
}

/** Deletes what is past retention, step by step; answers how many rows went. */
export async function pruneEvents(
  db: AppDatabase,
  options: EventOptions,
  stopped: () => boolean = () => false,
): Promise<{ events: number; deliveries: number }> {
  const removed = { events: 0, deliveries: 0 };
  const cutoff = sql`now() - ${options.retentionDays} * interval '1 day'`;
  for (let step = PRUNE_STEP; step === PRUNE_STEP && !stopped(); ) {
    const [row] = await db.execute<{ n: number }>(sql`
      with gone as (
        delete from export_job_events where id in (
          select e.id from export_job_events e
          where e.occurred_at < ${cutoff}
            and not exists (select 1 from webhook_messages m where m.event_id = e.id)
          order by e.occurred_at
          limit ${PRUNE_STEP})
        returning org_id, sandbox_name, id),
      marked as (
        insert into export_job_event_prune_marks (org_id, sandbox_name, pruned_through)
        select org_id, sandbox_name, max(id) from gone group by org_id, sandbox_name
        on conflict (org_id, sandbox_name)
          do update set pruned_through = greatest(export_job_event_prune_marks.pruned_through, excluded.pruned_through))
      select count(*)::int as n from gone`);
    step = Number(row?.n ?? 0);
    removed.events += step;
  }
  for (let step = PRUNE_STEP; step === PRUNE_STEP && !stopped(); ) {
    step = await countDeleted(
      db,
      sql`delete from webhook_deliveries where id in (
            select id from webhook_deliveries where attempted_at < ${cutoff} order by attempted_at limit ${PRUNE_STEP})
          returning 1`,
    );
    removed.deliveries += step;
  }
  return removed;
}

async function countDeleted(db: AppDatabase, deletion: SQL): Promise<number> {
  const [row] = await db.execute<{ n: number }>(sql`with gone as (${deletion}) select count(*)::int as n from gone`);
  return Number(row?.n ?? 0);
}
