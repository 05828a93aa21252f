/**
 * The read-only endpoints outside GraphQL (`/metrics`, `/healthz`, `/readyz`) answer GET
 * and HEAD alone: a POST or DELETE to them is a client's mistake, which 405 names, rather
 * than a scrape's answer (and the work of collecting it) for any method.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Answers 405 and returns true unless `req` is a GET or a HEAD. */
export function refusedUnlessRead(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return false;
  res.statusCode = 405;
  res.setHeader('allow', 'GET, HEAD');
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(`${req.method ?? 'This method'} is not allowed here; use GET\n`);
  return true;
}
