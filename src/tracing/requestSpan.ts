/**
 * The server span of an HTTP request that carries one GraphQL operation is
 * also that operation's span: `traceOperations` names it after the operation
 * and gives it the operation's attributes, instead of opening a child. One span
 * fewer on every request, a good part of what traces cost a cheap query
 * (bench:api, `exportJob(id)`: four spans became three). A batch's operations
 * each get a child span, since one name cannot stand for several.
 */
import { context, trace, type Span } from '@opentelemetry/api';

/**
 * Request spans still open to being named by an operation. A set rather than a
 * context value: a context value would copy the request's context once more.
 */
const nameable = new WeakSet<Span>();

/** Call for the server span of each request, before its operations run. */
export function offerToOperation(requestSpan: Span): void {
  nameable.add(requestSpan);
}

/** The request span an operation running here should name, if any: taken, so that no other operation names it. */
export function requestSpanToName(): Span | undefined {
  const active = trace.getSpan(context.active());
  return active !== undefined && nameable.delete(active) ? active : undefined;
}

/** Runs `work` (a batch's operations) where no operation names the request span: each opens its own. */
export function asSeparateOperations<T>(work: () => T): T {
  const active = trace.getSpan(context.active());
  if (active !== undefined) nameable.delete(active);
  return work();
}
