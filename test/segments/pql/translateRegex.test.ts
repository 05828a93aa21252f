/**
 * `matches` takes Java's regular expressions; PostgreSQL runs its own. A translated
 * pattern must match what Java's `Matcher.find()` matches, run by the database.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/database';
import { translateRegex } from '../../../src/segments/pql/translateRegex';
import { storageTargets } from '../../helpers/databases';

describe.each(storageTargets)('translated patterns on $name', (target) => {
  let database: Database;
  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(() => database?.close());

  const matches = async (text: string, pattern: string) => {
    const translated = translateRegex(pattern);
    if ('refused' in translated) throw new Error(translated.refused);
    const [row] = await database.db.execute<{ matched: boolean }>(sql`select ${text}::text ~ ${translated.pattern}::text as matched`);
    return row!.matched;
  };

  it.each([
    ['a.b', 'axb', true],
    ['a.b', 'aéb', true],
    // Java's `.` stops at a line terminator (no DOTALL): \n, \r, U+0085, U+2028, U+2029.
    ['a.b', 'a\nb', false],
    ['a.b', 'a\rb', false],
    ['a.b', 'a\u0085b', false],
    ['a.b', 'a\u2028b', false],
    ['a.*b', 'a\n\nb', false],
    ['a.*b', 'a--b', true],
    // Inside a class, a dot is itself.
    ['a[.]b', 'a.b', true],
    ['a[.]b', 'axb', false],
    ['a\\.b', 'axb', false],
  ])('%j against %j: %s, as Java finds it', async (pattern, text, expected) => {
    expect(await matches(text, pattern)).toBe(expected);
  });
});
