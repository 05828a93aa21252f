/**
 * Calendar arithmetic for `occurs` and the current-date functions, done once
 * at compile time from the evaluation time, so that SQL compares each value
 * with bound instants only. Every calendar computation is in UTC; weeks start
 * on Monday (ISO 8601, as PostgreSQL's `date_trunc('week')`).
 */
import type { TimeReference, TimeUnit } from './ast';

const UNIT_WORDS: Record<string, TimeUnit> = {
  millisecond: 'millisecond',
  milliseconds: 'millisecond',
  second: 'second',
  seconds: 'second',
  minute: 'minute',
  minutes: 'minute',
  hour: 'hour',
  hours: 'hour',
  day: 'day',
  days: 'day',
  week: 'week',
  weeks: 'week',
  month: 'month',
  months: 'month',
  year: 'year',
  years: 'year',
  decade: 'decade',
  decades: 'decade',
  century: 'century',
  centuries: 'century',
  millennium: 'millennium',
  millennia: 'millennium',
};

/** The unit a word of the reference names (`days`, `century`), if it names one. */
export function timeUnitOf(word: string): TimeUnit | undefined {
  return Object.hasOwn(UNIT_WORDS, word) ? UNIT_WORDS[word] : undefined;
}

const FIXED_MS: Partial<Record<TimeUnit, number>> = {
  millisecond: 1,
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
};
const MONTHS_IN: Partial<Record<TimeUnit, number>> = { month: 1, year: 12, decade: 120, century: 1200, millennium: 12_000 };

/** A period `[start, end)`. An instant is the period of its millisecond. */
export interface Period {
  start: Date;
  end: Date;
}

/**
 * `instant` moved by `amount` units (negative: back). Months and longer move
 * the calendar and clamp the day to the month's last (Jan 31 + 1 month = Feb 28
 * or 29), as PostgreSQL's interval arithmetic does.
 */
export function addUnits(instant: Date, amount: number, unit: TimeUnit): Date {
  const fixed = FIXED_MS[unit];
  if (fixed !== undefined) return new Date(instant.getTime() + amount * fixed);
  const months = amount * MONTHS_IN[unit]!;
  const year = instant.getUTCFullYear();
  const monthIndex = instant.getUTCMonth() + months;
  const targetYear = year + Math.floor(monthIndex / 12);
  const targetMonth = ((monthIndex % 12) + 12) % 12;
  const day = Math.min(instant.getUTCDate(), daysInMonth(targetYear, targetMonth));
  const moved = new Date(instant.getTime());
  moved.setUTCFullYear(targetYear, targetMonth, day);
  return moved;
}

/** The start of the unit `instant` falls in: the day's midnight, the week's Monday, the century's year 1. */
export function truncate(instant: Date, unit: TimeUnit): Date {
  const t = instant.getTime();
  switch (unit) {
    case 'millisecond':
    case 'second':
    case 'minute':
    case 'hour':
    case 'day': {
      const size = FIXED_MS[unit]!;
      return new Date(Math.floor(t / size) * size);
    }
    case 'week': {
      const day = truncate(instant, 'day');
      const sinceMonday = (day.getUTCDay() + 6) % 7;
      return addUnits(day, -sinceMonday, 'day');
    }
    case 'month':
      return utc(instant.getUTCFullYear(), instant.getUTCMonth(), 1);
    case 'year':
      return utc(instant.getUTCFullYear(), 0, 1);
    case 'decade':
      return utc(Math.floor(instant.getUTCFullYear() / 10) * 10, 0, 1);
    // Centuries and millennia start in year 1 (2001-01-01), as in PostgreSQL.
    case 'century':
      return utc(Math.floor((instant.getUTCFullYear() - 1) / 100) * 100 + 1, 0, 1);
    case 'millennium':
      return utc(Math.floor((instant.getUTCFullYear() - 1) / 1000) * 1000 + 1, 0, 1);
  }
}

/** The unit-long period `instant` falls in. */
export function periodOfUnit(instant: Date, unit: TimeUnit): Period {
  const start = truncate(instant, unit);
  return { start, end: addUnits(start, 1, unit) };
}

/**
 * The period a time reference names at evaluation time `now`: `now` is its
 * millisecond, `today` / `yesterday` / `tomorrow` and `date(…)` their day,
 * `this` / `last` / `next` unit the calendar unit.
 */
export function periodOf(time: TimeReference, now: Date): Period {
  switch (time.kind) {
    case 'now':
      return { start: now, end: new Date(now.getTime() + 1) };
    case 'day':
      return periodOfUnit(addUnits(now, time.offsetDays, 'day'), 'day');
    case 'relative': {
      const offset = time.which === 'last' ? -1 : time.which === 'next' ? 1 : 0;
      return periodOfUnit(addUnits(truncate(now, time.unit), offset, time.unit), time.unit);
    }
    case 'date':
      return periodOfUnit(utc(time.year, time.month - 1, time.day), 'day');
  }
}

/** Whether year / month (1–12) / day name a real calendar day. */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) &&
    year >= 1 &&
    year <= 9999 &&
    Number.isInteger(month) &&
    month >= 1 &&
    month <= 12 &&
    Number.isInteger(day) &&
    day >= 1 &&
    day <= daysInMonth(year, month - 1)
  );
}

function daysInMonth(year: number, monthIndex: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][monthIndex]!;
}

function utc(year: number, monthIndex: number, day: number): Date {
  // Not Date.UTC: it maps years 0–99 to 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  return date;
}
