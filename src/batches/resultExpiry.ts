import type { BatchRow } from '../db/schema';

/**
 * Whether a batch's results (records and files) have expired at `now`: the
 * sweeper marked it EXPIRED, or its `expiresAt` has passed and the sweeper has
 * not come by yet. Readers go by this, so results disappear on the minute
 * whatever the sweeper's pace.
 */
export function hasExpired(batch: Pick<BatchRow, 'status' | 'expiresAt'>, now: number = Date.now()): boolean {
  return batch.status === 'EXPIRED' || (batch.expiresAt !== null && batch.expiresAt.getTime() <= now);
}
