/**
 * A signal that a request's client has gone: its connection closed before the
 * answer was written. Node emits 'close' on a response after it finished too,
 * so only a close before the finish counts.
 */
import type { ServerResponse } from 'node:http';

export function abandonedWith(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  if (res.destroyed) controller.abort();
  else res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}
