/**
 * A batch's Parquet schema, derived from its records (the projected fields),
 * in a pass over them before the first file is written.
 *
 * Flat, not nested: one column per leaf, named and ordered as CSV names them
 * (`recordLeaves.ts`: `person.name.firstName`, `profileId` first), so a batch
 * has the same columns in either tabular format. Nested groups would mirror
 * the documents, but a record's shape is whatever its profile holds: optional
 * groups many levels deep, arrays of objects whose members differ from one
 * element to the next, a field that is an object in one record and a string in
 * another. Flat columns keep each of those one plain column that every Parquet
 * reader (DuckDB, Spark, pandas, warehouse loaders) reads alike.
 *
 * Each column is typed by the values it holds across the batch:
 * - only booleans: BOOLEAN; only integers within ±2^53: INT64; numbers
 *   otherwise: DOUBLE; only strings: STRING (UTF8);
 * - arrays, or values of more than one of those kinds: JSON (a UTF8 byte
 *   array of the value's JSON text, `converted_type` JSON) — `["a","b"]`,
 *   or `"x"` and `7` in one column;
 * - only nulls: STRING, all null.
 * Every column is OPTIONAL: an absent field and `null` are both null, while an
 * empty string stays an empty string.
 */
import { UnwritableRecords } from './unwritableRecords';
import type { SchemaElement } from 'hyparquet-writer';
import { columnOrder, type RecordLeaves } from './recordLeaves';

export const MAX_PARQUET_COLUMNS = 10_000;

export type ParquetColumnType = 'BOOLEAN' | 'INT64' | 'DOUBLE' | 'STRING' | 'JSON';

export interface ParquetColumn {
  /** The dotted leaf name, as CSV names it. */
  name: string;
  type: ParquetColumnType;
}

/** The type one value asks for, or null for `null` (which fits any column). */
export function valueType(value: unknown): ParquetColumnType | null {
  switch (typeof value) {
    case 'boolean':
      return 'BOOLEAN';
    case 'number':
      return Number.isSafeInteger(value) ? 'INT64' : 'DOUBLE';
    case 'string':
      return 'STRING';
    default:
      return value === null ? null : 'JSON';
  }
}

/** The type of a column that held values of types `a` and `b`. */
function widened(a: ParquetColumnType, b: ParquetColumnType): ParquetColumnType {
  if (a === b) return a;
  if ((a === 'INT64' && b === 'DOUBLE') || (a === 'DOUBLE' && b === 'INT64')) return 'DOUBLE';
  return 'JSON';
}

/** Gathers the union of the columns of a batch's records and their types, with the column guard. */
export class ParquetColumnSet {
  /** Each column's type so far; null while it held only nulls. */
  readonly #types = new Map<string, ParquetColumnType | null>();

  add(leaves: RecordLeaves): void {
    for (const [name, value] of leaves) this.addLeaf(name, value);
  }

  /** One leaf of a record (see `forEachLeaf`). */
  addLeaf(name: string, value: unknown): void {
    const type = valueType(value);
    const known = this.#types.get(name);
    if (known === undefined) {
      if (this.#types.size === MAX_PARQUET_COLUMNS) {
        throw new UnwritableRecords(`The records have more than ${MAX_PARQUET_COLUMNS} distinct Parquet columns (flattened fields); export them as JSONL`);
      }
      this.#types.set(name, type);
    } else if (type !== null && known !== type) {
      this.#types.set(name, known === null ? type : widened(known, type));
    }
  }

  /** The columns in file order, typed. */
  columns(): ParquetColumn[] {
    return columnOrder(this.#types.keys()).map((name) => ({ name, type: this.#types.get(name) ?? 'STRING' }));
  }
}

/** Whether a column of type `column` can hold `value` as it is written (see `parquetValue`). */
export function fits(column: ParquetColumnType, value: unknown): boolean {
  const type = valueType(value);
  return type === null || column === 'JSON' || type === column || (column === 'DOUBLE' && type === 'INT64');
}

/** The file's schema: a root of flat OPTIONAL leaves. */
export function parquetSchemaElements(columns: readonly ParquetColumn[]): SchemaElement[] {
  return [
    { name: 'root', num_children: columns.length },
    ...columns.map(({ name, type }): SchemaElement => ({ name, repetition_type: 'OPTIONAL', ...PHYSICAL[type] })),
  ];
}

const PHYSICAL: Record<ParquetColumnType, Pick<SchemaElement, 'type' | 'converted_type'>> = {
  BOOLEAN: { type: 'BOOLEAN' },
  INT64: { type: 'INT64' },
  DOUBLE: { type: 'DOUBLE' },
  STRING: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  JSON: { type: 'BYTE_ARRAY', converted_type: 'JSON' },
};
