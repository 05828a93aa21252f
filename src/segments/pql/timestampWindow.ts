/**
 * A test of a timestamp against bound instants (`occurs`), in two forms: on
 * the parsed timestamp, exact (NULL when the value is absent or no timestamp),
 * and on the stored text of an attribute, for where only truth counts.
 *
 * The second form is the fast one. Parsing a stored string safely costs two
 * long regular expressions and a cast a row (PostgreSQL 15 has no soft cast);
 * but a string in one of the two canonical UTC forms, `2024-06-14T10:00:00Z`
 * or `2024-06-14T10:00:00.000Z`, orders as text (collation "C") as its instant
 * does, so it is compared as text with the bounds written in its own form, and
 * validated only when it falls inside them (`2025-02-30T00:00:00Z` must not
 * match). Every other string takes the exact form.
 */
import { sql, type SQL } from 'drizzle-orm';
import { TIMESTAMP_WITH_OFFSET, instant, text } from './pqlValues';

/** One end of a window: an instant, and whether the window holds it. */
export interface Bound {
  at: Date;
  inclusive: boolean;
}

/** The instants after `lower` and before `upper`; an absent end is open. */
export interface TimestampWindow {
  lower?: Bound;
  upper?: Bound;
}

/** Whether `timestamp` (a timestamptz, NULL when absent) lies in the window; NULL when it is NULL. */
export function withinWindow(timestamp: SQL, window: TimestampWindow): SQL {
  const { lower, upper } = window;
  if (lower && upper) {
    // A range keeps the (expensive) parsed timestamp to one occurrence in the statement.
    const reversed = lower.at.getTime() > upper.at.getTime();
    const range = reversed
      ? 'empty'
      : `${lower.inclusive ? '[' : '('}"${lower.at.toISOString()}","${upper.at.toISOString()}"${upper.inclusive ? ']' : ')'}`;
    return sql`(${timestamp} <@ ${range}::tstzrange)`;
  }
  if (lower) return sql`(${timestamp} ${sql.raw(lower.inclusive ? '>=' : '>')} ${instant(lower.at)})`;
  if (upper) return sql`(${timestamp} ${sql.raw(upper.inclusive ? '<=' : '<')} ${instant(upper.at)})`;
  return sql`(${timestamp} is not null)`;
}

const SECOND = 1000;
// Each canonical form: its LIKE shape, and the instant of an ISO string written in it.
const FORMS = [
  { shape: '____-__-__T__:__:__Z', unitMs: SECOND, write: (iso: string) => `${iso.slice(0, 19)}Z` },
  { shape: '____-__-__T__:__:__.___Z', unitMs: 1, write: (iso: string) => iso },
] as const;
const ISO_WITH_MILLISECONDS = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$/;

/**
 * True exactly when `withinWindow` of the parsed `stored` (a text, the stored
 * string) is true; false, not NULL, for an invalid string that a canonical
 * form rules out. `exact` is `withinWindow` of the parsed value, for the rest.
 */
export function storedWithinWindow(stored: SQL, window: TimestampWindow, exact: SQL): SQL {
  const { lower, upper } = window;
  if (lower && upper && lower.at.getTime() > upper.at.getTime()) return exact;
  const branches: SQL[] = [];
  for (const form of FORMS) {
    // As text, a value v in this form is in the window when `from <= v < until`.
    const from = lower && textOf(lower.inclusive ? ceil(lower.at, form.unitMs) : floor(lower.at, form.unitMs) + form.unitMs, form.write);
    const until = upper && textOf(upper.inclusive ? floor(upper.at, form.unitMs) + form.unitMs : ceil(upper.at, form.unitMs), form.write);
    // A bound beyond the year 9999 is not written in the form: the exact test decides.
    if (from === null || until === null) return exact;
    const tests = [
      ...(from === undefined ? [] : [sql`${stored} collate "C" >= ${text(from)}`]),
      ...(until === undefined ? [] : [sql`${stored} collate "C" < ${text(until)}`]),
      sql`${stored} ~ ${text(TIMESTAMP_WITH_OFFSET)}`,
    ];
    branches.push(sql`when ${stored} like ${text(form.shape)} then ${sql.join(tests, sql` and `)}`);
  }
  return sql`(case ${sql.join(branches, sql` `)} else ${exact} end)`;
}

const floor = (at: Date, unitMs: number) => Math.floor(at.getTime() / unitMs) * unitMs;
const ceil = (at: Date, unitMs: number) => Math.ceil(at.getTime() / unitMs) * unitMs;

/** The instant `ms` in a canonical form, or null when its year is not written in four digits. */
function textOf(ms: number, write: (iso: string) => string): string | null {
  const at = new Date(ms);
  if (Number.isNaN(at.getTime())) return null;
  const iso = at.toISOString();
  return ISO_WITH_MILLISECONDS.test(iso) ? write(iso) : null;
}
