/**
 * The log of work that polls and fails at every round while its cause lasts (the
 * database down): the first failure whole, then one line at most every `everyMs`
 * with how many failures it stands for, and one line once the work succeeds again.
 * A five-minute outage was 1,200 error lines with stacks from each runner alone.
 */
import { describeError, type Logger } from '../logger';

export interface RepeatedFailureLog {
  failed(error: unknown): void;
  succeeded(): void;
}

export function repeatedFailureLog(logger: Logger, message: string, everyMs = 60_000, now = () => Date.now()): RepeatedFailureLog {
  let failingSince: number | undefined;
  let loggedAt = 0;
  let unlogged = 0;
  return {
    failed(error) {
      const at = now();
      if (failingSince !== undefined && at - loggedAt < everyMs) {
        unlogged += 1;
        return;
      }
      const repeated = failingSince === undefined ? {} : { failingForMs: at - failingSince, failuresNotLogged: unlogged };
      logger.error(message, { error: describeError(error), ...repeated });
      failingSince ??= at;
      loggedAt = at;
      unlogged = 0;
    },
    succeeded() {
      if (failingSince === undefined) return;
      logger.info(`${message}; it works again`, { failingForMs: now() - failingSince, failuresNotLogged: unlogged });
      failingSince = undefined;
      unlogged = 0;
    },
  };
}
