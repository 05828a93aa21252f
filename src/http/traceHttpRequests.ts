/**
 * A server span for each HTTP request, continuing the caller's trace when it
 * sends a W3C `traceparent` (a router's span becomes our span's parent). A
 * request's one GraphQL operation renames it (`src/tracing/requestSpan.ts`).
 * Wraps the server's `request` event rather than one handler, so every route
 * runs inside its request's span, whoever adds the handler.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { endAfterOperation, offerToOperation } from '../tracing/requestSpan';
import { tracer } from '../tracing/tracer';

// Routes whose path is the route: they name the span. Any other path would add a
// span name per id (batch files, assets), so those spans are named by method alone.
const ROUTES = new Set(['/graphql', '/jobs', '/jobs/']);
// Probes and scrapes come every few seconds from machines: a trace each would drown the rest.
const UNTRACED = new Set(['/healthz', '/readyz', '/metrics', '/favicon.ico']);

/** Call once, before the server listens, and only when tracing is on. */
export function traceHttpRequests(server: Server): void {
  const emit = server.emit as (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
  server.emit = function emitInRequestSpan(this: Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'request') return emit.call(this, event, ...args);
    const [req, res] = args as [IncomingMessage, ServerResponse];
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (UNTRACED.has(path)) return emit.call(this, event, ...args);
    const method = req.method ?? 'GET';
    // Never a header: Authorization (or a cookie) must not leave in a trace.
    const attributes: Attributes = { 'http.request.method': method, 'url.path': path, 'url.scheme': 'http' };
    const route = ROUTES.has(path) ? path : undefined;
    if (route) attributes['http.route'] = route;
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer().startSpan(route ? `${method} ${route}` : method, { kind: SpanKind.SERVER, attributes }, parent);
    // A response emits 'close' once, whether it finished or its connection went away first.
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      // Closed before the answer was complete: the client went away.
      if (!res.writableFinished) span.setAttribute('http.response.incomplete', true);
      endAfterOperation(span, () => span.end());
    });
    offerToOperation(span);
    return context.with(trace.setSpan(parent, span), () => emit.call(this, event, ...args));
  } as Server['emit'];
}
