/**
 * A client span for each SQL statement sent under traced work (a request, a
 * job run): `db.statement` is the statement's text, cut at
 * `STATEMENT_TEXT_LIMIT`; its parameters are never recorded. No driver
 * instrumentation exists for postgres.js, so each driver is wrapped at the one
 * place its statements pass: postgres.js's `unsafe` (what drizzle calls) by
 * `tracedPostgres`, the PGlite thread's `query` by `tracedStatement`.
 *
 * Statements outside any span (the runner polling for work) start none: a
 * trace per poll would be noise. That check is also all tracing costs here
 * when it is off.
 */
import { context, SpanKind, trace, type Span } from '@opentelemetry/api';
import type { PendingQuery, Sql } from 'postgres';
import { failSpan, tracer } from '../tracing/tracer';

/** Longer statements (an export chunk's projection) are cut here in traces. */
export const STATEMENT_TEXT_LIMIT = 2_000;

/** A span for a statement about to be sent, or undefined where nothing is traced. */
function startStatementSpan(text: string): Span | undefined {
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

function endStatementSpan(span: Span, error?: unknown): void {
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

/**
 * A postgres.js client whose `unsafe` statements are traced, as are those of
 * the transactions (`begin`, `savepoint`) and reserved connections it hands
 * out. postgres.js queries are lazy promises, sent when first awaited; the
 * span ends when the query settles (its own `resolve`/`reject`), without
 * awaiting it here, which would send it before drizzle sets it up (`values()`).
 */
export function tracedPostgres<T extends Sql>(sql: T): T {
  return new Proxy(sql, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      switch (property) {
        case 'unsafe':
          return (text: string, ...rest: unknown[]) => traceQuery(text, (value as Function).call(target, text, ...rest));
        case 'begin':
        case 'savepoint':
          // The last argument is the work, given the transaction's own client.
          return (...args: unknown[]) => {
            const work = args.at(-1);
            if (typeof work === 'function') args[args.length - 1] = (tx: Sql) => work(tracedPostgres(tx));
            return (value as Function).apply(target, args);
          };
        case 'reserve':
          return async () => tracedPostgres(await (value as () => Promise<Sql>).call(target));
        default:
          return value;
      }
    },
  });
}

function traceQuery(text: string, query: PendingQuery<never>): PendingQuery<never> {
  const span = startStatementSpan(text);
  if (!span) return query;
  // postgres.js settles a query through these two (src/query.js).
  const settling = query as unknown as { resolve(value: unknown): void; reject(error: unknown): void };
  const { resolve, reject } = settling;
  settling.resolve = (value) => {
    endStatementSpan(span);
    resolve(value);
  };
  settling.reject = (error) => {
    endStatementSpan(span, error);
    reject(error);
  };
  return query;
}

/** A span name for a statement: its first keyword (`select`, `with`, `insert`, …). */
function operationOf(text: string): string {
  return /^\s*([a-z]+)/i.exec(text)?.[1]?.toLowerCase() ?? 'sql';
}
