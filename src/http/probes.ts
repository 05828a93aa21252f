/**
 * The probes: `/healthz` (liveness: the process serves HTTP and has not lost
 * its embedded database for good; cheap, no statement) and `/readyz`
 * (readiness: send it traffic; `readiness.ts`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readiness } from '../readiness';
import { refusedUnlessRead } from './readOnlyEndpoint';

export function livenessHandler(state: { subscriptions(): number; sockets(): number; databaseFailure(): Error | null }) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (refusedUnlessRead(req, res)) return;
    res.setHeader('content-type', 'application/json');
    // The embedded database's thread stopped: nothing but a restart brings it back.
    const failure = state.databaseFailure();
    if (failure) {
      res.statusCode = 503;
      const cause = failure.cause instanceof Error ? `: ${failure.cause.message}` : '';
      res.end(JSON.stringify({ status: 'failed', reason: `${failure.message}${cause}` }));
      return;
    }
    res.end(
      JSON.stringify({
        status: 'ok',
        subscriptions: state.subscriptions(),
        sockets: state.sockets(),
        heapUsedMb: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
      }),
    );
  };
}

export function readinessHandler(readiness: Readiness) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (refusedUnlessRead(req, res)) return;
    const reason = await readiness.check();
    res.statusCode = reason === null ? 200 : 503;
    res.setHeader('content-type', 'application/json');
    res.setHeader('cache-control', 'no-store');
    res.end(JSON.stringify(reason === null ? { status: 'ready' } : { status: 'not ready', reason }));
  };
}
