/**
 * `occurs`: every form becomes a test of the timestamp against instants
 * computed at compile time from the evaluation time (calendar.ts), so SQL
 * reads the stored value once and compares it with bound parameters.
 *
 * For `T occurs {op} N {unit} before|after TIME`, let B be TIME (its start)
 * moved N units back (before) or forward (after):
 * - `<` / `<=`: T lies between B and TIME (B excluded / included), on the
 *   side the direction names: "less than 7 days before now" is the last 7 days;
 * - `>` / `>=`: T lies beyond B (further before, or further after);
 * - `=` / `!=`: T lies (not) in the calendar unit that holds B ("3 days before
 *   today" is that whole day; "1 month before now" is last calendar month).
 */
import { sql } from 'drizzle-orm';
import type { NodeOf, OccursClause } from './ast';
import { isStorableInstant } from '../../storableInstant';
import { addUnits, periodOf, periodOfUnit, type Period } from './calendar';
import type { CompileContext } from './collections';
import { compileNode } from './compileNode';
import { PqlSyntaxError } from './pqlErrors';
import { coerce, describe, textAt, type Value } from './pqlValues';
import { storedWithinWindow, withinWindow, type TimestampWindow } from './timestampWindow';

export function compileOccurs(node: NodeOf<'occurs'>, context: CompileContext): Value {
  const target = compileNode(node.target, context);
  const timestamp = coerce(target, 'timestamp');
  if (!timestamp) throw new PqlSyntaxError(`occurs needs a timestamp, found ${describe(target)}`, node.target.position);
  const test = windowOf(node.clause, context.now);
  if (!test) throw new PqlSyntaxError('The time is outside the years 1 to 9999', node.position);
  const exact = withinWindow(timestamp, test.window);
  if (test.outside) return { kind: 'boolean', sql: sql`(not ${exact})` };
  // A stored string is tested as text first (timestampWindow.ts).
  const whenTrue = target.kind === 'attribute' ? storedWithinWindow(textAt(target), test.window, exact) : undefined;
  return { kind: 'boolean', sql: exact, ...(whenTrue && { whenTrue }) };
}

/** The clause as a window, and whether it asks for the timestamps outside it. */
interface Test {
  window: TimestampWindow;
  outside: boolean;
}

/** The test for the clause, or undefined when one of its instants is out of range. */
function windowOf(clause: OccursClause, now: Date): Test | undefined {
  try {
    return testOf(clause, now);
  } catch (error: unknown) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

function testOf(clause: OccursClause, now: Date): Test {
  switch (clause.form) {
    case 'on':
      return within(periodOf(clause.time, now));
    case 'between': {
      const from = periodOf(clause.from, now);
      const to = periodOf(clause.to, now);
      return within({ start: from.start, end: to.end });
    }
    case 'direction': {
      const period = checked(periodOf(clause.time, now));
      if (clause.direction === 'before') return inside({ upper: { at: period.start, inclusive: false } });
      if (clause.direction === 'after') return inside({ lower: { at: period.end, inclusive: true } });
      return inside({ lower: { at: period.start, inclusive: true } });
    }
    case 'distance': {
      const base = periodOf(clause.time, now).start;
      const sign = clause.direction === 'before' ? -1 : 1;
      const bound = addUnits(base, sign * clause.amount, clause.unit);
      checked({ start: bound, end: bound });
      const [earlier, later] = sign < 0 ? [bound, base] : [base, bound];
      switch (clause.operator) {
        case '<':
          return range(earlier, later, sign < 0 ? '(]' : '[)');
        case '<=':
          return range(earlier, later, '[]');
        case '>':
          return inside(sign < 0 ? { upper: { at: bound, inclusive: false } } : { lower: { at: bound, inclusive: false } });
        case '>=':
          return inside(sign < 0 ? { upper: { at: bound, inclusive: true } } : { lower: { at: bound, inclusive: true } });
        case '=':
          return within(periodOfUnit(bound, clause.unit));
        case '!=':
          return { ...within(periodOfUnit(bound, clause.unit)), outside: true };
      }
    }
  }
}

/**
 * The end of the year 9999: the exclusive end of `date(9999, 12, 31)`, a common "no end"
 * date, though itself past what the database keeps. As an upper bound it bounds nothing;
 * as a lower one it leaves nothing.
 */
const END_OF_TIME = new Date(Date.UTC(9999, 11, 31) + 24 * 60 * 60 * 1000);
const LAST_INSTANT = new Date(END_OF_TIME.getTime() - 1);

const inside = ({ lower, upper }: TimestampWindow): Test => {
  const window: TimestampWindow = {};
  if (lower) window.lower = lower.at.getTime() === END_OF_TIME.getTime() ? { at: LAST_INSTANT, inclusive: false } : lower;
  if (upper && upper.at.getTime() !== END_OF_TIME.getTime()) window.upper = upper;
  return { window, outside: false };
};

/** `start <= T < end`; nothing when the period is empty or reversed. */
function within(period: Period): Test {
  return range(period.start, period.end, '[)');
}

/** The period, when PostgreSQL can read both its ends (or one is the end of the year 9999); else a RangeError. */
function checked(period: Period): Period {
  const readable = (instant: Date) => isStorableInstant(instant) || instant.getTime() === END_OF_TIME.getTime();
  if (!readable(period.start) || !readable(period.end)) throw new RangeError('instant out of range');
  return period;
}

function range(start: Date, end: Date, bounds: '[)' | '(]' | '[]'): Test {
  checked({ start, end });
  return inside({ lower: { at: start, inclusive: bounds[0] === '[' }, upper: { at: end, inclusive: bounds[1] === ']' } });
}
