import type { BatchRow } from '../db/schema';

/**
 * Whether a batch's records may be read: a FAILED or ABORTED batch holds none,
 * even while its partial records are still being removed (in steps, after its job ended).
 */
export function holdsRecords(batch: Pick<BatchRow, 'status'>): boolean {
  return batch.status !== 'FAILED' && batch.status !== 'ABORTED';
}
