import { describe, expect, it } from 'vitest';
import { csvHeader, csvRow, CsvColumnSet, flattenRecord, MAX_CSV_COLUMNS } from '../../src/files/csvColumns';

describe('flattenRecord', () => {
  it('names nested leaves with dots, writes arrays as JSON text, strings as themselves and other scalars as JSON', () => {
    const flat = flattenRecord({
      profileId: 'p1',
      person: { name: { firstName: 'Zoë', lastName: '' } },
      identities: [{ id: 'a', namespace: 'email' }],
      score: 7.5,
      vip: false,
      gone: null,
      empty: {},
    });
    expect(Object.fromEntries(flat)).toEqual({
      profileId: 'p1',
      'person.name.firstName': 'Zoë',
      'person.name.lastName': '',
      identities: '[{"id":"a","namespace":"email"}]',
      score: '7.5',
      vip: 'false',
      gone: null,
    });
  });

  it('escapes dots and backslashes within keys, so that no two fields share a column, in one record or across records', () => {
    expect(Object.fromEntries(flattenRecord({ 'a.b': 1, a: { b: 2, 'c\\': 3 } }))).toEqual({ 'a\\.b': '1', 'a.b': '2', 'a.c\\\\': '3' });
    const columns = new CsvColumnSet();
    columns.add(flattenRecord({ profileId: 'p1', 'a.b': 1 }));
    columns.add(flattenRecord({ profileId: 'p2', a: { b: 2 } }));
    expect(columns.ordered()).toEqual(['profileId', 'a.b', 'a\\.b']);
  });

  it('refuses a record that is not an object', () => {
    expect(() => flattenRecord([1, 2])).toThrow(/must be a JSON object, not an array/);
    expect(() => flattenRecord('text')).toThrow(/not a string/);
  });
});

describe('CsvColumnSet', () => {
  it('puts profileId first and the rest in code-unit order, whatever order the records came in', () => {
    const columns = new CsvColumnSet();
    // '😀' (U+1F600) is stored as the code unit D83D, before 'ｱ' (U+FF71): code-point order would swap them.
    columns.add(flattenRecord({ 'ｱ': 1, b: { z: 1 }, profileId: 'p2' }));
    columns.add(flattenRecord({ '😀': 1, B: 1, a: 1, profileId: 'p1', b: { y: 1 } }));
    expect(columns.ordered()).toEqual(['profileId', 'B', 'a', 'b.y', 'b.z', '😀', 'ｱ']);
  });

  it(`accepts ${MAX_CSV_COLUMNS} columns and refuses one more`, () => {
    const columns = new CsvColumnSet();
    const wide = Object.fromEntries(Array.from({ length: MAX_CSV_COLUMNS }, (_, i) => [`c${i}`, i]));
    columns.add(flattenRecord(wide));
    columns.add(flattenRecord({ c0: 'seen already' }));
    expect(columns.ordered()).toHaveLength(MAX_CSV_COLUMNS);
    expect(() => columns.add(flattenRecord({ oneMore: 1 }))).toThrow(`more than ${MAX_CSV_COLUMNS} distinct CSV columns`);
  });
});

describe('csvRow and csvHeader', () => {
  const columns = ['profileId', 'comma', 'cr', 'empty', 'lf', 'nothing', 'plain', 'quote'];

  it('quotes fields with commas, quotes, CR or LF, writes an empty string as "" and null or absent as nothing', () => {
    const row = csvRow(
      columns,
      flattenRecord({ profileId: 'p1', comma: 'a,b', cr: 'a\rb', empty: '', lf: 'a\nb', nothing: null, quote: 'say "hi"' }),
    );
    expect(row).toBe('p1,"a,b","a\rb","","a\nb",,,"say ""hi"""\r\n');
  });

  it('quotes header names by the same rules and ends the header with CRLF', () => {
    expect(csvHeader(['profileId', 'a,b', 'say "x"', ''])).toBe('profileId,"a,b","say ""x""",""\r\n');
  });

  it('refuses a record with a column the header lacks rather than drop it', () => {
    expect(() => csvRow(['profileId'], flattenRecord({ profileId: 'p1', late: 1 }))).toThrow(/column "late", which the header lacks/);
  });
});
