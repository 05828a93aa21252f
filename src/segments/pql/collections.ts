/**
 * Collections in SQL: the profile's experience events as a correlated
 * subquery on `experience_events` (matching the profile's tenant and id, which
 * `experience_events_profile_idx` serves), and array attributes as
 * `jsonb_array_elements` of their items. Counting, testing for any element,
 * aggregating and turning back into a jsonb array all read from one FROM clause.
 */
import { sql, type SQL } from 'drizzle-orm';
import { arrayAt, coerce, type Collection, type Value } from './pqlValues';

/** What a compilation shares: the caller's profile alias, the evaluation time, fresh aliases, what was used. */
export interface CompileContext {
  /** The SQL alias of the profiles row. */
  profile: SQL;
  now: Date;
  /** The element paths read inside a filter (`alias.data` of an event, `alias.value` of an item); absent at the profile. */
  element?: SQL;
  /** A new SQL alias, unique in the statement. */
  alias(prefix: 'e' | 'a' | 'c'): string;
  /** Set once the expression reads experience events. */
  usesEvents: boolean;
}

/** A fresh collection of the profile's experience events. */
export function eventsOf(context: CompileContext): Collection {
  context.usesEvents = true;
  return { kind: 'collection', source: 'events', alias: context.alias('e'), conditions: [] };
}

/** The items of an array attribute (reading across every array on its path) as a collection. */
export function itemsOf(value: Extract<Value, { kind: 'attribute' }>, context: CompileContext): Collection {
  return {
    kind: 'collection',
    source: 'array',
    alias: context.alias('a'),
    conditions: [],
    array: arrayAt(value),
    present: arrayAt(value, 'null'),
    distinct: false,
  };
}

/** The jsonb one element of the collection is: an event's `data`, an array item. */
export function elementOf(collection: Collection): SQL {
  return sql.raw(`${collection.alias}.${collection.source === 'events' ? 'data' : 'value'}`);
}

function fromClause(collection: Collection, profile: SQL): SQL {
  const alias = sql.raw(collection.alias);
  const conditions =
    collection.source === 'events'
      ? [
          sql`${alias}.org_id = ${profile}.org_id`,
          sql`${alias}.sandbox_name = ${profile}.sandbox_name`,
          sql`${alias}.profile_id = ${profile}.profile_id`,
          ...collection.conditions,
        ]
      : collection.conditions;
  const source = collection.source === 'events' ? sql`experience_events ${alias}` : sql`jsonb_array_elements(${collection.array}) ${alias}`;
  return conditions.length === 0 ? sql`from ${source}` : sql`from ${source} where ${sql.join(conditions, sql` and `)}`;
}

/** Whether the collection has any element: never NULL, so a profile without events does not match and `not` of it does. */
export function anyOf(collection: Collection, context: CompileContext): SQL {
  return sql`exists (select 1 ${fromClause(collection, context.profile)})`;
}

/** The number of elements (0 when there are none, never NULL). */
export function countOf(collection: Collection, context: CompileContext): SQL {
  if (collection.source === 'array' && collection.conditions.length === 0 && !collection.distinct) {
    return sql`jsonb_array_length(${collection.array})`;
  }
  const counted = collection.source === 'array' && collection.distinct ? sql`count(distinct ${elementOf(collection)})` : sql`count(*)`;
  return sql`(select ${counted} ${fromClause(collection, context.profile)})`;
}

/**
 * The number of elements, stopping at `limit`: enough to compare the count
 * with `limit - 1` without reading every event of a busy profile.
 */
export function cappedCountOf(collection: Collection, limit: number, context: CompileContext): SQL | undefined {
  if (collection.source !== 'events') return undefined;
  const capped = sql.raw(context.alias('c'));
  return sql`(select count(*) from (select 1 ${fromClause(collection, context.profile)} limit ${String(limit)}::text::bigint) ${capped})`;
}

export type Aggregate = 'sum' | 'average' | 'min' | 'max';
const SQL_AGGREGATES: Record<Aggregate, string> = { sum: 'sum', average: 'avg', min: 'min', max: 'max' };

/**
 * An aggregate of `number` (one element's numeric value) over the collection;
 * elements whose value is absent or not a number are skipped. The sum of no
 * element is 0; the average, minimum and maximum of none are absent.
 */
export function aggregateOf(collection: Collection, aggregate: Aggregate, number: SQL, context: CompileContext): SQL {
  const value = sql`(select ${sql.raw(SQL_AGGREGATES[aggregate])}(${number}) ${fromClause(collection, context.profile)})`;
  return aggregate === 'sum' ? sql`coalesce(${value}, 0)` : value;
}

/** The numeric value of an element itself (an array of numbers). */
export function elementNumber(collection: Collection): SQL {
  return coerce({ kind: 'attribute', root: elementOf(collection), segments: [] }, 'number')!;
}

/**
 * The collection as a jsonb array. `empty: 'unknown'` (intersects, subsetOf, supersetOf):
 * NULL when it has no element, absent and empty alike. `empty: 'kept'` (includes, in,
 * notIn): NULL only when its array is absent; an array that is there but holds nothing
 * (or nothing its filter keeps) is `[]`, which includes nothing.
 */
export function jsonArrayOf(collection: Collection, context: CompileContext, empty: 'unknown' | 'kept'): SQL | undefined {
  if (collection.source === 'events') return undefined;
  if (collection.conditions.length === 0 && !collection.distinct) {
    return empty === 'kept' ? collection.present : sql`nullif(${collection.array}, '[]'::jsonb)`;
  }
  const element = elementOf(collection);
  const aggregated = collection.distinct ? sql`jsonb_agg(distinct ${element})` : sql`jsonb_agg(${element})`;
  const items = sql`(select ${aggregated} ${fromClause(collection, context.profile)})`;
  return empty === 'kept' ? sql`coalesce(${items}, case when ${collection.present} is not null then '[]'::jsonb end)` : items;
}
