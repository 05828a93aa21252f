/**
 * A client span for each SQL statement sent under traced work (a request, a
 * job run): `db.statement` is the statement's text, cut at
 * `STATEMENT_TEXT_LIMIT`; its parameters are never recorded. No driver
 * instrumentation exists for postgres.js, so each driver is wrapped at the one
 * place its statements pass: postgres.js's `unsafe` (what drizzle calls) by
 * `observedPostgres`, the PGlite thread's `query` by `tracedStatement`.
 *
 * Statements outside any span (the runner polling for work) start none: a
 * trace per poll would be noise. That check is also all tracing costs here
 * when it is off.
 */
import { context, SpanKind, trace, type Span } from '@opentelemetry/api';
import { failSpan, tracer } from '../tracing/tracer';

/** Longer statements (an export chunk's projection) are cut here in traces. */
export const STATEMENT_TEXT_LIMIT = 2_000;

/** A span for a statement about to be sent, or undefined where nothing is traced. */
export function startStatementSpan(text: string): Span | undefined {
  const active = context.active();
  if (!trace.getSpan(active)?.isRecording()) return undefined;
  return tracer().startSpan(
    operationOf(text),
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system': 'postgresql',
        'db.statement': text.length > STATEMENT_TEXT_LIMIT ? `${text.slice(0, STATEMENT_TEXT_LIMIT)}…` : text,
      },
    },
    active,
  );
}

export function endStatementSpan(span: Span, error?: unknown): void {
  if (error !== undefined) failSpan(span, error);
  span.end();
}

/** Runs one statement, `text`, in a span of its own (the PGlite thread's client). */
export async function tracedStatement<T>(text: string, send: () => Promise<T>): Promise<T> {
  const span = startStatementSpan(text);
  if (!span) return send();
  try {
    const result = await send();
    endStatementSpan(span);
    return result;
  } catch (error: unknown) {
    endStatementSpan(span, error);
    throw error;
  }
}

/** A span name for a statement: its first keyword (`select`, `with`, `insert`, …). */
function operationOf(text: string): string {
  return /^\s*([a-z]+)/i.exec(text)?.[1]?.toLowerCase() ?? 'sql';
}
