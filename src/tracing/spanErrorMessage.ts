/**
 * What a failed span says of its error. A span leaves the process for a collector
 * that keeps it, so it carries no value of a statement: a failed statement's
 * message quotes its SQL and parameters (drizzle), and PostgreSQL's own may
 * quote a value it refused ("invalid input syntax for type integer: …"). A
 * database error is told by its SQLSTATE, with its message only for the classes
 * whose messages name no value; any other error by its message, cut short.
 */
import { isFailedQuery } from '../db/failedQuery';
import { postgresErrorCode } from '../db/postgresErrors';

/** The longest message a span carries. */
export const MAX_SPAN_MESSAGE_CHARS = 500;

// Connection exceptions, transaction rollbacks (deadlocks), insufficient resources,
// object not in prerequisite state (lock timeouts), operator intervention (statement timeouts).
const CLASSES_WITHOUT_VALUES = new Set(['08', '40', '53', '55', '57']);

export function spanErrorMessage(error: unknown): string {
  if (!(error instanceof Error)) return cut(String(error));
  // drizzle's wrapper: the database's error is its cause.
  const cause = isFailedQuery(error) && error.cause instanceof Error ? error.cause : error;
  // A SQLSTATE has a digit: a socket's EPIPE or EPERM is five capitals too.
  const code = postgresErrorCode(cause);
  if (code !== undefined) {
    const said = CLASSES_WITHOUT_VALUES.has(code.slice(0, 2)) ? `: ${cut(cause.message)}` : '';
    return `PostgreSQL error ${code}${said}`;
  }
  if (isFailedQuery(error)) return `A statement failed (${error.params.length} values not recorded)`;
  return cut(error.message);
}

function cut(text: string): string {
  return text.length <= MAX_SPAN_MESSAGE_CHARS ? text : `${text.slice(0, MAX_SPAN_MESSAGE_CHARS)}… [cut]`;
}
