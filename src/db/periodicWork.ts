/**
 * A background task run now, then every `intervalMs`, until stopped: the shape
 * of the runner's housekeeping (event pruning, the result sweeper). A round
 * that fails is logged and the next one runs anyway; `stop` wakes the wait and
 * resolves once the round under way has ended.
 */
import { describeError, type Logger } from '../logger';
import { inBackground } from './backgroundWork';

export interface PeriodicWork {
  stop(): Promise<void>;
}

export function startPeriodic(options: {
  intervalMs: number;
  logger: Logger;
  /** Logged with the error when a round fails. */
  failureMessage: string;
  /** One round; `stopped()` turns true once `stop` is called, so a long round can end early. */
  round: (stopped: () => boolean) => Promise<void>;
}): PeriodicWork {
  let stopped = false;
  let wake: (() => void) | undefined;
  const isStopped = () => stopped;
  const running = inBackground(async () => {
    while (!stopped) {
      try {
        await options.round(isStopped);
      } catch (error: unknown) {
        options.logger.error(options.failureMessage, { error: describeError(error) });
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, options.intervalMs).unref();
      });
    }
  });
  return {
    async stop() {
      stopped = true;
      wake?.();
      await running;
    },
  };
}
