/**
 * A client span for each SQL statement sent under traced work (a request, a
 * job run): `db.statement` is the statement's text with a long select list
 * abbreviated (`statementText`), cut at `STATEMENT_TEXT_LIMIT`; its parameters
 * are never recorded. No driver
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
        'db.statement': statementText(text),
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

/**
 * Select lists longer than this are abbreviated in traces: a row read whole
 * (`select "export_jobs"."id", … 60 columns`) is 2,000 characters that every
 * span of it would carry, encode and send, most of what a trace of a cheap
 * request costs (bench:api: 94 µs of ~900 a request), while the table and the
 * conditions after the list are what an operator reads.
 */
const SELECT_LIST_LIMIT = 120;

// `select <list> from`: the first FROM ends the list, which may hold no
// parenthesis (nor, checked below, a nested select): others are left whole.
const SELECT_LIST = /^(\s*select\s+(?:distinct\s+)?)([^()]*?)(\s+from\s)/i;
// `… returning <list>` at the end (a row written and read back whole).
const RETURNING_LIST = /(\sreturning\s+)([^()]*)$/i;

/** The text traces carry for each statement text: statements are parameterized, so there are few. */
const texts = new Map<string, string>();
const TEXTS_KEPT = 1_000;

/**
 * `text` as `db.statement`: a select or returning list over SELECT_LIST_LIMIT
 * becomes `<first column>, … (N columns)`, then the whole is cut at STATEMENT_TEXT_LIMIT.
 * Worked out once per statement text.
 */
export function statementText(text: string): string {
  const known = texts.get(text);
  if (known !== undefined) return known;
  let shown = text;
  const selected = SELECT_LIST.exec(shown);
  if (selected && selected[2]!.length > SELECT_LIST_LIMIT && !/\bselect\b/i.test(selected[2]!)) {
    shown = `${selected[1]}${abbreviated(selected[2]!)}${selected[3]}${shown.slice(selected[0].length)}`;
  }
  const returned = RETURNING_LIST.exec(shown);
  if (returned && returned[2]!.length > SELECT_LIST_LIMIT) {
    shown = `${shown.slice(0, returned.index)}${returned[1]}${abbreviated(returned[2]!)}`;
  }
  if (shown.length > STATEMENT_TEXT_LIMIT) shown = `${shown.slice(0, STATEMENT_TEXT_LIMIT)}…`;
  if (texts.size >= TEXTS_KEPT) texts.clear();
  texts.set(text, shown);
  return shown;
}

function abbreviated(list: string): string {
  const columns = list.split(',');
  return `${columns[0]!.trim()}, … (${columns.length} columns)`;
}
