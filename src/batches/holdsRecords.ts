import type { BatchRow } from '../db/schema';
import { hasExpired } from './resultExpiry';

/**
 * Whether a batch's records may be read: a FAILED or ABORTED batch holds none,
 * even while its partial records are still being removed (in steps, after its
 * job ended), and neither does one whose results have expired.
 */
export function holdsRecords(batch: Pick<BatchRow, 'status' | 'expiresAt'>): boolean {
  return batch.status !== 'FAILED' && batch.status !== 'ABORTED' && !hasExpired(batch);
}
