/**
 * The runner's answer to a passing database error (`isTransientDatabaseError`: a
 * restart, a failover, a cut connection, a deadlock): nothing of the statement that
 * failed was kept, so the job is handed back to resume as a run that died would be,
 * without waiting out its lease, rather than failed.
 */
import { describeError } from '../logger';
import type { RunEnvironment } from './runExportJob';

/** How long a job handed back after a database error waits, per attempt so far. */
const RETRY_AFTER_ERROR_MS = 1_000;

/**
 * Logs the error and hands the job (or part) back with `handBack`, to be claimed again
 * RETRY_AFTER_ERROR_MS per attempt so far (`attempt`) from now; should that fail too,
 * its lease runs out instead.
 */
export async function handBackAfterError(
  env: RunEnvironment,
  job: Record<string, unknown> & { attempt: number },
  error: unknown,
  handBack: (retryAfterMs: number) => Promise<void>,
): Promise<'released'> {
  env.logger.warn('Job interrupted by a database error; handed back to resume', { ...job, error: describeError(error) });
  try {
    await handBack(RETRY_AFTER_ERROR_MS * job.attempt);
  } catch (again: unknown) {
    env.logger.error('Handing a job back failed', { ...job, error: describeError(again) });
  }
  return 'released';
}
