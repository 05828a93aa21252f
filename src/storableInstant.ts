/**
 * The instants every layer can keep: PostgreSQL's `timestamptz` has no year 0, and a
 * UTC year past 9999 has no RFC 3339 form. One rule for the API's `DateTime` inputs,
 * the file ingest and PQL's time literals, so an instant one of them takes the
 * database never refuses later (a job created with one failed at its first chunk).
 */

/** What an instant outside the range is told, after the value's name. */
export const OUTSIDE_STORABLE_YEARS = 'must fall between the years 0001 and 9999 in UTC';

/** Whether `instant` is a date with a UTC year from 1 to 9999. */
export function isStorableInstant(instant: Date): boolean {
  const year = instant.getUTCFullYear();
  return !Number.isNaN(instant.getTime()) && year >= 1 && year <= 9999;
}
