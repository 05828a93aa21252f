/**
 * What a compiled PQL sub-expression is in SQL, and the conversions between
 * those forms. A path of the profile stays an `attribute` (a root jsonb and its
 * path) until its use says what it must be: a number, a string, a timestamp,
 * a boolean or a collection. Every conversion of a stored value is guarded by
 * its JSON type, so a value of another type becomes SQL NULL (no match) and
 * never a cast error at execution. Every literal and path segment is a bound
 * parameter.
 */
import { sql, type SQL } from 'drizzle-orm';

export type ScalarKind = 'boolean' | 'number' | 'string' | 'timestamp';

/** A literal's JavaScript value, kept for functions that need it at compile time (patterns, lists). */
export type LiteralValue = string | number | boolean;

export type Value =
  /**
   * A typed SQL value; `literal` when it is a constant of the expression,
   * `countOf` when it counts a collection. A boolean may carry `whenTrue`: SQL
   * that is true exactly when `sql` is, but may be false where `sql` is NULL,
   * and is cheaper; it serves where only truth counts (a WHERE clause, `is true`).
   */
  | { kind: ScalarKind; sql: SQL; literal?: LiteralValue; countOf?: Collection; whenTrue?: SQL }
  /** The jsonb at `segments` under `root` (a profile column, an event's data, an array element). */
  | { kind: 'attribute'; root: SQL; segments: string[] }
  /** An array literal of scalar literals: `[3, 6, 9]`. */
  /** A list of literals as JSON text, numbers spelt as written: through a JS number, 12345678901234567891 lost digits. */
  | { kind: 'list'; json: string }
  | Collection;

/**
 * A set of elements to count, filter, aggregate or test: the profile's
 * experience events, or the items of an array attribute. `alias` names one
 * element in `conditions`.
 */
export type Collection =
  | { kind: 'collection'; source: 'events'; alias: string; conditions: SQL[] }
  | {
      kind: 'collection';
      source: 'array';
      alias: string;
      conditions: SQL[];
      /** The items, `[]` when the path is absent or reaches nothing. */
      array: SQL;
      /** The items, NULL when the path is absent (an array stored empty is `[]`: it is there). */
      present: SQL;
      distinct: boolean;
    };

/** A bound text parameter. */
export const text = (value: string): SQL => sql`${value}::text`;

/** A bound numeric parameter, from a literal's digits or a JavaScript number. */
export const numeric = (value: string | number): SQL => sql`${String(value)}::text::numeric`;

/**
 * A bound timestamptz parameter. Typed as the parameter itself, not cast from
 * text: a text-to-timestamptz cast is not immutable, so PostgreSQL would parse
 * it again for every row.
 */
export const instant = (value: Date): SQL => sql`${value.toISOString()}::timestamptz`;

/** A bound jsonb parameter holding `value` as JSON. */
export const jsonParameter = (value: unknown): SQL => jsonText(JSON.stringify(value));
/** JSON text, bound as a parameter, as jsonb. */
export const jsonText = (json: string): SQL => sql`${json}::text::jsonb`;

// A path is read as a chain of `->` with one bound text key each: `#>` with a
// text[] path costs about twice as much a row (it unpacks the array every call),
// and `::text::text[]` of a parameter is not immutable, so it is parsed every row.
const keysOf = (segments: string[]): SQL => sql.join(segments.map((segment) => sql` -> ${segment}::text`));

/** The jsonb at the attribute's path (NULL when absent). */
export function jsonAt(value: Extract<Value, { kind: 'attribute' }>): SQL {
  return value.segments.length === 0 ? value.root : sql`(${value.root}${keysOf(value.segments)})`;
}

/** The attribute's value as text, unquoted for a JSON string (NULL when absent). */
export function textAt(value: Extract<Value, { kind: 'attribute' }>): SQL {
  const last = value.segments.at(-1);
  if (last === undefined) return sql`(${value.root} #>> '{}')`;
  return sql`(${value.root}${keysOf(value.segments.slice(0, -1))} ->> ${last}::text)`;
}

/** The jsonb at the path, with JSON null made SQL NULL: an explicit null counts as absent. */
export function presentJsonAt(value: Extract<Value, { kind: 'attribute' }>): SQL {
  return sql`nullif(${jsonAt(value)}, 'null'::jsonb)`;
}

/**
 * The attribute's values, reading across every array on the path, as a jsonb array.
 * When the path is absent (or JSON null, as `isNull()` says, not a list of one null,
 * which lax mode would make it): `[]` by default; with `absent: 'null'`, SQL NULL, and
 * items read across arrays (`identities.namespace`) that come to none count as absent,
 * while an array stored at the path is there even empty (`tags: []` includes nothing).
 */
export function arrayAt(value: Extract<Value, { kind: 'attribute' }>, absent: 'empty' | 'null' = 'empty'): SQL {
  // Lax mode reads a member of each item of an array on the way; `[*]` unwraps
  // the last value when it is an array and wraps it when it is not.
  const jsonPath = `$${value.segments.map((segment) => `.${JSON.stringify(segment)}`).join('')}[*]`;
  const items = sql`jsonb_path_query_array(${value.root}, ${jsonPath}::jsonpath, '{}'::jsonb, true)`;
  // An array reached through objects alone (`->` reads no array member) is
  // already those items: the common case skips the jsonpath and its copy.
  const json = jsonAt(value);
  return absent === 'empty'
    ? sql`(case jsonb_typeof(${json}) when 'array' then ${json} when 'null' then '[]'::jsonb else ${items} end)`
    : sql`(case jsonb_typeof(${json}) when 'array' then ${json} when 'null' then null else nullif(${items}, '[]'::jsonb) end)`;
}

// ISO 8601 calendar days PostgreSQL accepts (years 1000–9999, real month days,
// 29 February in leap years only), an optional time and an optional offset. As in ISO 8601,
// an offset belongs to a time: PostgreSQL refuses `2024-06-14-05`, and an accepted string
// that failed its cast would fail the whole statement.
const DAY =
  '([1-9][0-9]{3}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))' +
  '|([1-9][0-9](0[48]|[2468][048]|[13579][26])|([2468][048]|[13579][26])00)-02-29)';
const TIME = '([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,9})?)?)';
const OFFSET = '(Z|z|[+-](0[0-9]|1[0-4])(:?[0-5][0-9])?)';
/** A timestamp string with an offset. */
export const TIMESTAMP_WITH_OFFSET = `^${DAY}${TIME}${OFFSET}$`;
/** A timestamp string without an offset (a day alone, or a day and a time): read as UTC. */
export const TIMESTAMP_WITHOUT_OFFSET = `^${DAY}${TIME}?$`;

/** The value as `kind`, or SQL NULL when it is absent or of another JSON type. */
export function coerce(value: Value, kind: ScalarKind): SQL | undefined {
  if (value.kind === kind) return value.sql;
  if (value.kind !== 'attribute') return undefined;
  const json = jsonAt(value);
  switch (kind) {
    case 'number':
      return sql`(case when jsonb_typeof(${json}) = 'number' then (${json})::numeric end)`;
    case 'string':
      return sql`(case when jsonb_typeof(${json}) = 'string' then ${textAt(value)} end)`;
    case 'boolean':
      return sql`(case when jsonb_typeof(${json}) = 'boolean' then (${json})::boolean end)`;
    case 'timestamp': {
      // PostgreSQL 15 has no cast that fails softly: only strings the patterns
      // accept reach the cast, and every one of them casts.
      const stored = textAt(value);
      return sql`(case when ${stored} ~ ${text(TIMESTAMP_WITH_OFFSET)} then (${stored})::timestamptz when ${stored} ~ ${text(TIMESTAMP_WITHOUT_OFFSET)} then (${stored} || 'Z')::timestamptz end)`;
    }
  }
}

/** The value as a jsonb scalar (for membership tests), or undefined when it is not a scalar. */
export function scalarJson(value: Value): SQL | undefined {
  switch (value.kind) {
    case 'attribute': {
      const json = jsonAt(value);
      return sql`(case when jsonb_typeof(${json}) in ('string', 'number', 'boolean') then ${json} end)`;
    }
    case 'string':
    case 'number':
    case 'boolean':
      return sql`to_jsonb(${value.sql})`;
    default:
      return undefined;
  }
}

/**
 * `test` of an attribute read as a string, where only truth counts: the test
 * of its text (which reads a number or a boolean too) first, its type only
 * when that passed. `test` must be NULL for NULL.
 */
export function stringTruth(value: Extract<Value, { kind: 'attribute' }>, test: (text: SQL) => SQL): SQL {
  return sql`(${test(textAt(value))} and jsonb_typeof(${jsonAt(value)}) = 'string')`;
}

/** The SQL of a typed literal. */
export function literal(value: LiteralValue): Value {
  if (typeof value === 'string') return { kind: 'string', sql: text(value), literal: value };
  if (typeof value === 'number') return { kind: 'number', sql: numeric(value), literal: value };
  return { kind: 'boolean', sql: value ? sql`true` : sql`false`, literal: value };
}

/** A short name of a value's type for error messages. */
export function describe(value: Value): string {
  switch (value.kind) {
    case 'attribute':
      return 'an attribute';
    case 'list':
      return 'a list';
    case 'collection':
      return value.source === 'events' ? 'experience events' : 'an array';
    default:
      return `a ${value.kind}`;
  }
}
