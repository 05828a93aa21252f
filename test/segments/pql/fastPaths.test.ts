/**
 * The cheaper forms the compiler uses where only truth counts (a stored
 * timestamp compared as text, `=` as one jsonb equality, string tests before
 * their type test, an array read without jsonpath) against the edge cases
 * they must not change: values of another JSON type, invalid dates, offsets,
 * fractions, bounds inside a second. Each expression is also checked under
 * `not`, which reads the exact form: an unknown condition matches neither way.
 * The expected sets are what the compiler gave before it had these forms.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/database';
import { compileSegmentPredicate } from '../../../src/segments/pql/compileSegmentPredicate';
import { storageTargets } from '../../helpers/databases';

// Half a second into the day: bounds of `now` fall inside a second.
const NOW = new Date('2025-03-01T00:00:00.500Z');
const TENANT = { orgId: 'org-pql-fast', sandboxName: 'prod' };

const VISITS: Record<string, unknown> = {
  f01: '2025-03-01T00:00:00Z',
  f02: '2025-02-28T23:59:59Z',
  f03: '2025-03-01T00:00:00.500Z',
  f04: '2025-03-01T00:00:00.501Z',
  f05: '2025-02-30T00:00:00Z', // no such day
  f06: '2025-02-28T24:00:00Z', // no such hour
  f07: '2025-02-28T2a:00:00Z',
  f08: '2025-03-01T01:00:00+01:00', // 2025-03-01T00:00:00Z
  f09: '2025-03-01T00:00:00z',
  f10: 20250301,
  f11: '2025-02-28T23:59:59.999Z',
  f12: null,
  f13: '2024-02-29T12:00:00Z',
  f14: '2025-03-01T00:00:00.12Z',
  f15: '0999-03-01T00:00:00Z',
};
const CODES: Record<string, unknown> = { f01: 'US', f02: 5, f03: '5', f04: null, f05: true, f06: ['US'], f07: 'US ', f08: { v: 'US' }, f09: 'true', f10: '55' };
const COLORS: Record<string, unknown> = { f01: ['red'], f02: 'red', f03: [], f04: [['red']], f05: { c: 'red' }, f06: ['blue', 'red'] };

const CASES: [expression: string, expected: string[], notExpected: string[]][] = [
  ['person.lastVisit occurs < 1 second before now', ['f01', 'f03', 'f08', 'f09', 'f11', 'f14'], ['f02', 'f04', 'f13']],
  ['person.lastVisit occurs <= 1 second before now', ['f01', 'f03', 'f08', 'f09', 'f11', 'f14'], ['f02', 'f04', 'f13']],
  ['person.lastVisit occurs > 1 second before now', ['f02', 'f13'], ['f01', 'f03', 'f04', 'f08', 'f09', 'f11', 'f14']],
  ['person.lastVisit occurs >= 500 milliseconds after now', [], ['f01', 'f02', 'f03', 'f04', 'f08', 'f09', 'f11', 'f13', 'f14']],
  ['person.lastVisit occurs on date(2025, 2, 28)', ['f02', 'f11'], ['f01', 'f03', 'f04', 'f08', 'f09', 'f13', 'f14']],
  ['person.lastVisit occurs between date(2025, 2, 1) and date(2025, 3, 31)', ['f01', 'f02', 'f03', 'f04', 'f08', 'f09', 'f11', 'f14'], ['f13']],
  ['person.lastVisit occurs before today', ['f02', 'f11', 'f13'], ['f01', 'f03', 'f04', 'f08', 'f09', 'f14']],
  ['person.lastVisit occurs this year', ['f01', 'f02', 'f03', 'f04', 'f08', 'f09', 'f11', 'f14'], ['f13']],
  ['person.lastVisit occurs between date(2024, 2, 29) and date(2024, 2, 29)', ['f13'], ['f01', 'f02', 'f03', 'f04', 'f08', 'f09', 'f11', 'f14']],
  ['person.lastVisit occurs between date(999, 1, 1) and date(999, 12, 31)', [], ['f01', 'f02', 'f03', 'f04', 'f08', 'f09', 'f11', 'f13', 'f14']],
  // date(9999, 12, 31), a common "no end": its day ends past the years the database keeps.
  ['person.lastVisit occurs between date(2025, 2, 1) and date(9999, 12, 31)', ['f01', 'f02', 'f03', 'f04', 'f08', 'f09', 'f11', 'f14'], ['f13']],
  ['person.lastVisit occurs before date(9999, 12, 31)', ['f01', 'f02', 'f03', 'f04', 'f08', 'f09', 'f11', 'f13', 'f14'], []],
  ['person.lastVisit occurs on date(9999, 12, 31)', [], ['f01', 'f02', 'f03', 'f04', 'f08', 'f09', 'f11', 'f13', 'f14']],
  ['person.lastVisit occurs after date(9999, 12, 31)', [], ['f01', 'f02', 'f03', 'f04', 'f08', 'f09', 'f11', 'f13', 'f14']],
  ['person.lastVisit occurs = 1 second before now', ['f02', 'f11'], ['f01', 'f03', 'f04', 'f08', 'f09', 'f13', 'f14']],
  ['person.code = "US"', ['f01'], ['f03', 'f07', 'f09', 'f10']],
  ['person.code = "5"', ['f03'], ['f01', 'f07', 'f09', 'f10']],
  ['person.code = 5', ['f02'], []],
  ['person.code = true', ['f05'], []],
  ['person.code.startsWith("5")', ['f03', 'f10'], ['f01', 'f07', 'f09']],
  ['person.code.startsWith("tr")', ['f09'], ['f01', 'f03', 'f07', 'f10']],
  ['person.code.doesNotStartWith("U")', ['f03', 'f09', 'f10'], ['f01', 'f07']],
  // f03's [] is there and includes nothing: its negation holds.
  ['person.colors.includes("red")', ['f01', 'f02', 'f06'], ['f03', 'f04', 'f05']],
  ['person.colors.count() = 0', ['f03', 'f07', 'f08', 'f09', 'f10', 'f11', 'f12', 'f13', 'f14', 'f15'], ['f01', 'f02', 'f04', 'f05', 'f06']],
];

describe.each(storageTargets)('PQL fast paths on $name', (target) => {
  let database: Database;

  beforeAll(async () => {
    database = await target.open();
    for (const id of Object.keys(VISITS)) {
      const person: Record<string, unknown> = { lastVisit: VISITS[id] };
      if (id in CODES) person.code = CODES[id];
      if (id in COLORS) person.colors = COLORS[id];
      await database.db.execute(sql`
        insert into profiles (org_id, sandbox_name, profile_id, identities, attributes, updated_at)
        values (${TENANT.orgId}, ${TENANT.sandboxName}, ${id}, '[]'::jsonb, ${JSON.stringify({ person })}::text::jsonb, ${NOW.toISOString()}::timestamptz)`);
    }
  });
  afterAll(() => database?.close());

  const matching = async (expression: string): Promise<string[]> => {
    const { predicate } = compileSegmentPredicate(expression, { profile: sql.raw('p'), now: NOW });
    const rows = await database.db.execute<{ profile_id: string }>(sql`
      select profile_id from profiles p
      where p.org_id = ${TENANT.orgId} and p.sandbox_name = ${TENANT.sandboxName} and ${predicate}
      order by profile_id`);
    return rows.map((row) => row.profile_id);
  };

  it.each(CASES)('%s matches %j, and its negation %j', async (expression, expected, notExpected) => {
    expect(await matching(expression)).toEqual(expected);
    expect(await matching(`not (${expression})`)).toEqual(notExpected);
  });

  // A pairwise test took the product of the two arrays' sizes: 11 s for two of 8,000 items.
  it.each([
    ['person.colors.intersects(person.tags)', 'HashSetOp Intersect'],
    ['person.colors.subsetOf(person.tags)', 'Hash Anti Join'],
    ['person.colors.supersetOf(person.tags)', 'Hash Anti Join'],
  ])('matches the scalar items of %s by hashing (%s), not item by item', async (expression, hashed) => {
    const { predicate } = compileSegmentPredicate(expression, { profile: sql.raw('p'), now: NOW });
    const rows = await database.db.execute<{ 'QUERY PLAN': string }>(sql`explain select ${predicate} from profiles p`);
    const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
    expect(plan).toContain(hashed);
    expect(plan).not.toContain('Nested Loop');
  });

  it('keeps an occurs test exact beside another condition', async () => {
    const expression = 'person.lastVisit occurs between date(2025, 2, 28) and date(2025, 3, 2) and person.lastVisit.getDayOfMonth() > 0';
    expect(await matching(expression)).toEqual(['f01', 'f02', 'f03', 'f04', 'f08', 'f09', 'f11', 'f14']);
    expect(await matching(`not (${expression})`)).toEqual(['f13']);
  });
});
