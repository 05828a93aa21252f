/**
 * A job remembers the trace of the request that created it (its W3C
 * `traceparent`, column `export_jobs.trace_parent`): the runner, maybe in
 * another process and much later, continues that trace with each run.
 */
import { context, propagation, ROOT_CONTEXT, type Context } from '@opentelemetry/api';

/** The active trace as a `traceparent` to store, or null when nothing is traced (tracing off: no propagator). */
export function activeTraceParent(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

/** The context a run starts from: the creating request's trace, or a new trace for a job without one. */
export function contextOfTraceParent(traceParent: string | null): Context {
  return traceParent ? propagation.extract(ROOT_CONTEXT, { traceparent: traceParent }) : ROOT_CONTEXT;
}
