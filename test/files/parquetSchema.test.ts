import { describe, expect, it } from 'vitest';
import {
  fits,
  MAX_PARQUET_COLUMNS,
  ParquetColumnSet,
  parquetSchemaElements,
  valueType,
} from '../../src/files/parquetSchema';
import { recordLeaves } from '../../src/files/recordLeaves';

/** The columns of `records`, as the dataset write's first pass derives them. */
function columnsOf(...records: Record<string, unknown>[]) {
  const set = new ParquetColumnSet();
  for (const record of records) set.add(recordLeaves(record, 'Parquet'));
  return set.columns();
}

describe('ParquetColumnSet', () => {
  it('flattens nested objects into dotted columns, profileId first, then code-unit order, as CSV does', () => {
    const columns = columnsOf({ person: { name: { lastName: 'a', firstName: 'b' } }, 'ｱ': 'x', '😀': 'y', profileId: 'p1', empty: {} });
    expect(columns.map((column) => column.name)).toEqual(['profileId', 'person.name.firstName', 'person.name.lastName', '😀', 'ｱ']);
  });

  it('types each column by the values it holds across the records', () => {
    const columns = columnsOf(
      { profileId: 'p1', flag: true, count: 1, ratio: 2, name: 'a', tags: ['x'], mixed: 'text', onlyNull: null },
      { profileId: 'p2', flag: false, count: -3, ratio: 0.5, name: '', tags: [], mixed: 7 },
      { profileId: 'p3', count: null, name: null, mixed: null },
    );
    expect(Object.fromEntries(columns.map(({ name, type }) => [name, type]))).toEqual({
      profileId: 'STRING',
      count: 'INT64',
      flag: 'BOOLEAN',
      mixed: 'JSON',
      name: 'STRING',
      onlyNull: 'STRING',
      ratio: 'DOUBLE',
      tags: 'JSON',
    });
  });

  it('widens integers to DOUBLE beside fractions, and anything else that differs to JSON', () => {
    const typeOf = (...values: unknown[]) => columnsOf(...values.map((value) => ({ v: value })))[0]!.type;
    expect(typeOf(1, 2.5)).toBe('DOUBLE');
    expect(typeOf(2.5, 1)).toBe('DOUBLE');
    expect(typeOf(2 ** 60)).toBe('DOUBLE'); // beyond 2^53 a JSON number is no exact integer any more
    expect(typeOf(1, true)).toBe('JSON');
    expect(typeOf(1.5, 'x')).toBe('JSON');
    expect(typeOf(null, 'x', null)).toBe('STRING');
    expect(typeOf([1], 'x')).toBe('JSON');
  });

  it('gives a field that is an object in one record and a leaf in another a column for each', () => {
    expect(columnsOf({ a: { b: 1 } }, { a: 'flat' }).map(({ name, type }) => [name, type])).toEqual([
      ['a', 'STRING'],
      ['a.b', 'INT64'],
    ]);
  });

  it(`accepts ${MAX_PARQUET_COLUMNS} columns and refuses one more`, () => {
    const wide = Object.fromEntries(Array.from({ length: MAX_PARQUET_COLUMNS }, (_, i) => [`c${i}`, i]));
    const set = new ParquetColumnSet();
    set.add(recordLeaves(wide, 'Parquet'));
    expect(set.columns()).toHaveLength(MAX_PARQUET_COLUMNS);
    expect(() => set.add(recordLeaves({ another: 1 }, 'Parquet'))).toThrow(/more than 10000 distinct Parquet columns/);
  });

  it('gives a key with a dot a column of its own, and refuses a record that is not an object', () => {
    expect(columnsOf({ profileId: 'p1', 'a.b': 1 }, { profileId: 'p2', a: { b: 'two' } }).map((column) => column.name)).toEqual([
      'profileId',
      'a.b',
      'a\\.b',
    ]);
    expect(() => new ParquetColumnSet().add(recordLeaves([1], 'Parquet'))).toThrow(/Parquet record must be a JSON object, not an array/);
  });
});

describe('parquetSchemaElements', () => {
  it('makes a flat root of OPTIONAL leaves: UTF8 and JSON byte arrays, INT64, DOUBLE, BOOLEAN', () => {
    expect(
      parquetSchemaElements([
        { name: 'profileId', type: 'STRING' },
        { name: 'person.name.firstName', type: 'STRING' },
        { name: 'count', type: 'INT64' },
        { name: 'ratio', type: 'DOUBLE' },
        { name: 'flag', type: 'BOOLEAN' },
        { name: 'tags', type: 'JSON' },
      ]),
    ).toEqual([
      { name: 'root', num_children: 6 },
      { name: 'profileId', repetition_type: 'OPTIONAL', type: 'BYTE_ARRAY', converted_type: 'UTF8' },
      { name: 'person.name.firstName', repetition_type: 'OPTIONAL', type: 'BYTE_ARRAY', converted_type: 'UTF8' },
      { name: 'count', repetition_type: 'OPTIONAL', type: 'INT64' },
      { name: 'ratio', repetition_type: 'OPTIONAL', type: 'DOUBLE' },
      { name: 'flag', repetition_type: 'OPTIONAL', type: 'BOOLEAN' },
      { name: 'tags', repetition_type: 'OPTIONAL', type: 'BYTE_ARRAY', converted_type: 'JSON' },
    ]);
  });
});

describe('valueType and fits', () => {
  it('say which column type a value asks for and which columns hold it', () => {
    expect([true, 3, 3.5, 's', [], null].map(valueType)).toEqual(['BOOLEAN', 'INT64', 'DOUBLE', 'STRING', 'JSON', null]);
    expect(fits('DOUBLE', 3)).toBe(true);
    expect(fits('INT64', 3.5)).toBe(false);
    expect(fits('JSON', 'anything')).toBe(true);
    expect(fits('BOOLEAN', null)).toBe(true);
    expect(fits('STRING', 1)).toBe(false);
  });
});
