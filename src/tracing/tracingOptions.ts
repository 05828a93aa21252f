import type { SpanExporter } from '@opentelemetry/sdk-trace-node';

/** The OTLP/HTTP encodings we can send; `grpc` is not built in. */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;

/**
 * Whether traces are exported, and how. Only these are read by `src/config.ts`;
 * every other `OTEL_*` variable (endpoint, headers, timeout, sampler, resource
 * attributes, service name) is read by the OpenTelemetry SDK itself, from
 * `process.env`, when `startTracing` starts it — and nowhere else.
 */
export interface TracingOptions {
  /**
   * On when `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`
   * is set, unless `OTEL_SDK_DISABLED=true`. Off, no SDK module is loaded: the
   * code calls the no-op `@opentelemetry/api` only.
   */
  enabled: boolean;
  /**
   * `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, else `OTEL_EXPORTER_OTLP_PROTOCOL`:
   * `http/protobuf` (the OTLP default; smaller, and cheaper to encode: about
   * a third less CPU a span than JSON, measured) or `http/json`.
   */
  protocol: (typeof OTLP_PROTOCOLS)[number];
}

/** Tests only: spans go to this exporter (e.g. the SDK's `InMemorySpanExporter`), as they end, instead of OTLP. */
export interface TracingHook {
  exporter: SpanExporter;
}
