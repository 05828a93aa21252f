/**
 * The grammar after `occurs`, in the reference's four forms:
 * `occurs {COMPARISON} {INTEGER} {TIME_UNIT} {before|after|from} {TIME}`,
 * `occurs {before|after|from} {TIME}`, `occurs (on) {TIME}` and
 * `occurs between {TIME} and {TIME}`, where TIME is `now`, `today`,
 * `yesterday`, `tomorrow`, `this|last|next {TIME_UNIT}` or `date(y, m, d)`.
 */
import type { ComparisonOperator, OccursClause, TimeReference, TimeUnit } from './ast';
import { isCalendarDate, timeUnitOf } from './calendar';
import { PqlSyntaxError, PqlUnsupportedError } from './pqlErrors';
import type { Parser } from './parsePql';
import { at } from './tokenize';

const COMPARISONS = new Set<string>(['=', '!=', '<', '<=', '>', '>=']);
const DAY_WORDS: Record<string, TimeReference> = {
  now: { kind: 'now' },
  today: { kind: 'day', offsetDays: 0 },
  yesterday: { kind: 'day', offsetDays: -1 },
  tomorrow: { kind: 'day', offsetDays: 1 },
};

/** The time a word names: now, today, yesterday or tomorrow. */
export function dayWord(word: string): TimeReference | undefined {
  return Object.hasOwn(DAY_WORDS, word) ? DAY_WORDS[word] : undefined;
}

/** The clause after `occurs`, the parser just past that word. */
export function parseOccurs(parser: Parser): OccursClause {
  const token = parser.peek();
  if (token.kind === 'punctuation' && COMPARISONS.has(token.value)) {
    parser.next();
    const amount = parser.next();
    if (amount.kind !== 'number' || !/^[0-9]+$/.test(amount.value)) {
      throw parser.unexpected('expected a whole number of time units', amount);
    }
    const unit = parseTimeUnit(parser);
    const direction = parser.next();
    if (!['before', 'after', 'from'].includes(direction.value) || direction.kind !== 'identifier') {
      throw parser.unexpected('expected "before", "after" or "from"', direction);
    }
    return {
      form: 'distance',
      operator: token.value as ComparisonOperator,
      amount: Number(amount.value),
      unit,
      // "3 days from now" is "3 days after now".
      direction: direction.value === 'before' ? 'before' : 'after',
      time: parseTimeReference(parser),
    };
  }
  for (const direction of ['before', 'after', 'from'] as const) {
    if (parser.isWord(direction)) {
      parser.next();
      return { form: 'direction', direction, time: parseTimeReference(parser) };
    }
  }
  if (parser.isWord('between')) {
    parser.next();
    const from = parseTimeReference(parser);
    parser.expectWord('and');
    return { form: 'between', from, to: parseTimeReference(parser) };
  }
  if (parser.isWord('on')) parser.next();
  return { form: 'on', time: parseTimeReference(parser) };
}

function parseTimeReference(parser: Parser): TimeReference {
  const token = parser.peek();
  if (token.kind !== 'identifier') throw parser.unexpected('expected a time (now, today, last week, date(…))');
  const day = dayWord(token.value);
  if (day) {
    parser.next();
    return day;
  }
  if (token.value === 'this' || token.value === 'last' || token.value === 'next') {
    parser.next();
    return { kind: 'relative', which: token.value, unit: parseTimeUnit(parser) };
  }
  if (token.value === 'date' && parser.isPunctuation('(', 1)) return parseDateLiteral(parser);
  throw new PqlUnsupportedError('occurs relative to an attribute', at(token), 'the time must be now, today, yesterday, tomorrow, this/last/next unit or date(…)');
}

/** `date(year, month, day)` with integer literals naming a real day, the parser on `date`. */
export function parseDateLiteral(parser: Parser): Extract<TimeReference, { kind: 'date' }> {
  const name = parser.expectWord('date');
  parser.expectPunctuation('(');
  const parts: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    if (i > 0) parser.expectPunctuation(',');
    const token = parser.next();
    if (token.kind !== 'number' || !/^[0-9]+$/.test(token.value)) throw parser.unexpected('expected a whole number', token);
    parts.push(Number(token.value));
  }
  parser.expectPunctuation(')');
  const [year, month, day] = parts as [number, number, number];
  if (!isCalendarDate(year, month, day)) {
    throw new PqlSyntaxError(`date(${year}, ${month}, ${day}) is not a calendar day`, at(name));
  }
  return { kind: 'date', year, month, day };
}

function parseTimeUnit(parser: Parser): TimeUnit {
  const token = parser.next();
  const unit = token.kind === 'identifier' ? timeUnitOf(token.value) : undefined;
  if (!unit) throw parser.unexpected('expected a unit of time (days, weeks, months…)', token);
  return unit;
}
