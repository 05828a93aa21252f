/**
 * The gateway's tracer, and `inSpan`, which runs work in a span of its own.
 * Through `@opentelemetry/api` only: while tracing is off (no SDK registered)
 * every call here is the API's no-op.
 */
import { context, SpanStatusCode, trace, type Context, type Span, type SpanOptions, type Tracer } from '@opentelemetry/api';
import { spanErrorMessage } from './spanErrorMessage';

/** The service's default name in traces (`OTEL_SERVICE_NAME` overrides it), also the tracer's. */
export const SERVICE_NAME = 'export-jobs-gateway';

/** The registered provider's tracer, set by `startTracing` while it runs. */
let registered: Tracer | undefined;

/**
 * The tracer of the provider registered now: the one `startTracing` set, taken
 * straight (asking the API each time costs a lookup and a proxy per span), or
 * the API's no-op while tracing is off.
 */
export function tracer(): Tracer {
  return registered ?? trace.getTracer(SERVICE_NAME);
}

/** Called by `startTracing` (its provider's tracer) and its shutdown (undefined). */
export function useTracer(tracerOfProvider: Tracer | undefined): void {
  registered = tracerOfProvider;
}

/**
 * Runs `work` with a new span active (a child of `parent`, by default the
 * active context), ends the span when the work settles, and marks it failed
 * when the work throws.
 */
export function inSpan<T>(
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<T>,
  parent: Context = context.active(),
): Promise<T> {
  return tracer().startActiveSpan(name, options, parent, async (span) => {
    try {
      return await work(span);
    } catch (error: unknown) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks `span` failed by `error`: its class and what `spanErrorMessage` says of it, never a stack, a statement or its values. */
export function failSpan(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: spanErrorMessage(error) });
  span.setAttribute('error.type', error instanceof Error ? error.name : typeof error);
}
