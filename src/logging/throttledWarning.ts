/**
 * A warning anyone who can reach the port may cause at will (a refused `Host`, a refused
 * page's handshake): the first whole, then one line at most every `everyMs`, saying how
 * many it stands for. A flood of refused requests must not become a flood of log lines,
 * while the first still tells the operator what is being refused and why.
 */
import type { Logger } from '../logger';

export type ThrottledWarning = (fields: Record<string, unknown>) => void;

export function throttledWarning(logger: Logger, message: string, everyMs = 60_000, now = () => Date.now()): ThrottledWarning {
  let loggedAt: number | undefined;
  let unlogged = 0;
  return (fields) => {
    const at = now();
    if (loggedAt !== undefined && at - loggedAt < everyMs) {
      unlogged += 1;
      return;
    }
    logger.warn(message, unlogged > 0 ? { ...fields, similarNotLogged: unlogged } : fields);
    loggedAt = at;
    unlogged = 0;
  };
}
