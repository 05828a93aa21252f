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
/** The operation running in each request span it named: the span ends once it settles. */
const operations = new WeakMap<Span, Promise<unknown>>();

/** Call for the server span of each request, before its operations run. */
export function offerToOperation(requestSpan: Span): void {
  nameable.add(requestSpan);
}

/**
 * The request span an operation running here should name, if any: taken, so
 * that no other operation names it. None once the request's span has ended
 * (its client went away first): the operation then opens a span of its own.
 */
export function requestSpanToName(): Span | undefined {
  const active = trace.getSpan(context.active());
  return active !== undefined && nameable.delete(active) && active.isRecording() ? active : undefined;
}

/** Tells the request span that `operation`, which named it, runs in it until it settles. */
export function operationRunsIn(requestSpan: Span, operation: Promise<unknown>): void {
  operations.set(requestSpan, operation);
}

/**
 * Runs `end` (which ends the request span) once the response is over and the
 * operation that named the span, if any, has settled: a client that goes away
 * mid-operation must not cut the operation's errors and SQL out of its trace.
 */
export function endAfterOperation(requestSpan: Span, end: () => void): void {
  nameable.delete(requestSpan);
  const operation = operations.get(requestSpan);
  if (operation === undefined) return end();
  operation.then(end, end);
}

/** Runs `work` (a batch's operations) where no operation names the request span: each opens its own. */
export function asSeparateOperations<T>(work: () => T): T {
  const active = trace.getSpan(context.active());
  if (active !== undefined) nameable.delete(active);
  return work();
}
