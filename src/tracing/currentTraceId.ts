/**
 * The trace id of the span active where it is called, for log lines; undefined
 * when tracing is off or nothing is traced here.
 */
import { trace } from '@opentelemetry/api';

export function currentTraceId(): string | undefined {
  const context = trace.getActiveSpan()?.spanContext();
  return context && trace.isSpanContextValid(context) ? context.traceId : undefined;
}
