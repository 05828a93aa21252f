/**
 * How a record (a JSON object) flattens into columns, the one rule of both
 * tabular formats (CSV, Parquet), so that a batch has the same column names in
 * either:
 *
 * - Nested objects recurse into dotted names: `person.name.firstName`. An empty
 *   object gives no column. A dot or a backslash within a key is escaped with a
 *   backslash (`{"a.b": 1}` gives the column `a\.b`, `{a: {b: 1}}` the column
 *   `a.b`), so that every path has a name of its own, in one record or across a batch.
 * - Arrays, strings, numbers, booleans and `null` are leaves, kept as parsed:
 *   each format says how it writes them.
 * - Column order: `profileId` first, then the rest in code-unit order (what
 *   `Array.prototype.sort` does), so that no file depends on record order.
 */

/**
 * A record with a column the file's columns lack, or a value its column's type
 * cannot hold. Columns gathered from a batch's first records only meet it when
 * a later record brings something new: they are then gathered from every record.
 * If every record fits columns gathered from some of them, those are exactly
 * the columns of all (no column is missing, and no type needs widening); so
 * both ways give the same file. Met with the columns of every record, it
 * means the records changed while they were written.
 */
export class ColumnsOutgrown extends Error {}

/** The column every record has (the batch's key); it comes first. */
export const KEY_COLUMN = 'profileId';

/** A record's leaves by dotted column name, in the record's key order. */
export type RecordLeaves = Map<string, unknown>;

/** One record's leaves; `format` names the file format in error messages. */
export function recordLeaves(record: unknown, format: string): RecordLeaves {
  const leaves: RecordLeaves = new Map();
  forEachLeaf(record, format, (name, value) => leaves.set(name, value));
  return leaves;
}

/**
 * Calls `visit` with each leaf of one record, in the record's key order,
 * without building a map of them (the Parquet writer's hot path).
 */
export function forEachLeaf(record: unknown, format: string, visit: (name: string, value: unknown) => void): void {
  if (!isObject(record)) throw new Error(`A ${format} record must be a JSON object, not ${describe(record)}`);
  const walk = (prefix: string, object: Record<string, unknown>): void => {
    for (const key in object) {
      const value = object[key];
      const name = prefix + columnPart(key);
      if (isObject(value)) walk(`${name}.`, value);
      else visit(name, value);
    }
  };
  walk('', record);
}

/** A key as part of a column name: its dots and backslashes escaped, so that no two paths share a name. */
function columnPart(key: string): string {
  return key.includes('.') || key.includes('\\') ? key.replace(/[.\\]/g, '\\$&') : key;
}

/** Column names in file order: `profileId` first, then code-unit order. */
export function columnOrder(names: Iterable<string>): string[] {
  const all = new Set(names);
  const rest = [...all].filter((name) => name !== KEY_COLUMN).sort();
  return all.has(KEY_COLUMN) ? [KEY_COLUMN, ...rest] : rest;
}

/** One record's JSON text, parsed; the message never holds the text (customer data ends up in logs). */
export function parseRecord(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch (error: unknown) {
    throw new Error(`A record of ${line.length} characters is not JSON`, { cause: error });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
