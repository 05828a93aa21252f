import { sql } from 'drizzle-orm';
import { exportJobs } from '../db/schema';

/**
 * What every write that becomes a job event sets, in the statement of the
 * change itself: the time, and the next value of the job's event sequence
 * (README, "Sequence"). A write that leaves it out would publish an event
 * that subscribers drop as already seen.
 */
export function nextEvent() {
  return { updateTime: sql`now()`, eventSequence: sql`${exportJobs.eventSequence} + 1` };
}
