/**
 * Starts the OpenTelemetry SDK for this process, when tracing is on: spans of
 * HTTP requests, GraphQL operations, SQL statements and job runs go to an
 * OTLP/HTTP endpoint, in protobuf (the default) or JSON. Off, nothing here is even loaded: the SDK's
 * modules are imported only once tracing is known to be wanted.
 *
 * The SDK reads its own `OTEL_*` variables (see `TracingOptions`): the
 * exporter its endpoint, headers and timeout, the provider its sampler
 * (`OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`; default
 * `parentbased_always_on`) and span limits, the batch processor its `OTEL_BSP_*`.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { sharedContextManager } from '../context/asyncContext';
import { SERVICE_NAME, useTracer } from './tracer';
import type { TracingHook, TracingOptions } from './tracingOptions';

export interface Tracing {
  /**
   * Exports the spans still buffered, for at most FLUSH_LIMIT_MS, then unregisters the SDK.
   * Resolves to null once they are sent, else to why not (a collector down or slow): spans
   * lost then are no reason to fail a shutdown, nor to hold it for the exporter's retries.
   */
  shutdown(): Promise<string | null>;
}

/** The longest a shutdown waits for the last spans to reach the collector. */
export const FLUSH_LIMIT_MS = 2_000;

/**
 * Registers a tracer provider, the shared context manager and the W3C
 * trace-context propagator as the process's globals; null when tracing is off.
 * One per process: the globals are the process's.
 */
export async function startTracing(options: TracingOptions, hook?: TracingHook): Promise<Tracing | null> {
  if (!options.enabled && !hook) return null;
  const [{ NodeTracerProvider, BatchSpanProcessor, SimpleSpanProcessor }, { W3CTraceContextPropagator }, resources] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/core'),
      import('@opentelemetry/resources'),
    ]);
  const exporter =
    hook?.exporter ??
    (options.protocol === 'http/json'
      ? new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter()
      : new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter());
  // Our default name, which OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override (envDetector).
  const resource = resources
    .defaultResource()
    .merge(resources.resourceFromAttributes({ 'service.name': SERVICE_NAME }))
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new NodeTracerProvider({
    resource,
    // A test reads its spans as they end; OTLP sends them in batches, off the request path.
    spanProcessors: [hook ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter)],
  });
  // traceparent/tracestate only: a caller's baggage is not ours to pass on or to store with jobs.
  // The context lives in the process's one AsyncLocalStorage, beside the log fields.
  provider.register({ propagator: new W3CTraceContextPropagator(), contextManager: sharedContextManager });
  useTracer(provider.getTracer(SERVICE_NAME));
  return {
    shutdown: async () => {
      useTracer(undefined);
      let timer: NodeJS.Timeout | undefined;
      const outOfTime = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`the collector did not take them within ${FLUSH_LIMIT_MS} ms`), FLUSH_LIMIT_MS);
      });
      const flushed = provider.shutdown().then(
        () => null,
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      const failure = await Promise.race([flushed, outOfTime]);
      clearTimeout(timer);
      trace.disable();
      propagation.disable();
      context.disable();
      return failure;
    },
  };
}
