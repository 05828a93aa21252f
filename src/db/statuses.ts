/**
 * The values each status column may hold, one list per column kind: the
 * tables' check constraints and the columns' TypeScript types are built from
 * these, so a status read from the store is typed without a cast, and a status
 * written that the store would refuse does not compile.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';

/** An export job: NEW → PROCESSING → SUCCEEDED | FAILED, or cancelled on the way. */
export const EXPORT_JOB_STATUSES = ['NEW', 'PROCESSING', 'SUCCEEDED', 'FAILED', 'CANCELLING', 'CANCELLED'] as const;
export type ExportJobStatus = (typeof EXPORT_JOB_STATUSES)[number];

/** A segment job: as an export job's, but it is never cancelled. */
export const SEGMENT_JOB_STATUSES = ['NEW', 'PROCESSING', 'SUCCEEDED', 'FAILED'] as const satisfies readonly ExportJobStatus[];

/** A part of a sharded export: PENDING (to claim), RUNNING, DONE, FAILED, or ENDED (its job ended first). */
export const PART_STATUSES = ['PENDING', 'RUNNING', 'DONE', 'FAILED', 'ENDED'] as const;
export type PartStatus = (typeof PART_STATUSES)[number];

/** A profile's membership of a segment. */
export const SEGMENT_STATUSES = ['REALIZED', 'EXISTING', 'EXITED'] as const;
export type SegmentStatus = (typeof SEGMENT_STATUSES)[number];

/** A batch of a dataset: LOADING while its job writes it, then SUCCESS, FAILED or ABORTED; EXPIRED once its results are swept. */
export const BATCH_STATUSES = ['LOADING', 'SUCCESS', 'FAILED', 'ABORTED', 'EXPIRED'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

/**
 * `column in ('A', 'B', …)`: a check constraint's condition, in the text drizzle-kit
 * has always generated for it, and the guard of a status move (`jobs/jobTransitions.ts`).
 */
export function statusIn(column: AnyPgColumn | SQL, statuses: readonly string[]): SQL {
  return sql`${column} in (${sql.raw(statuses.map((status) => `'${status}'`).join(', '))})`;
}

/** A status as an SQL literal, for a status written by an expression (`case when … then 'PROCESSING' …`). */
export function statusLiteral(status: string): SQL {
  return sql.raw(`'${status}'`);
}
