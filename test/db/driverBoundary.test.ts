/**
 * Only `src/db` knows which database driver runs (STYLE.md habit 3): every
 * other source file speaks drizzle and the project's own `Database`.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SRC, sourceFiles } from '../helpers/sourceFiles';

// Each with a line it must catch: a pattern that matches nothing guards nothing.
const DRIVER_KNOWLEDGE: [string, RegExp, string][] = [
  ['imports PGlite', /from '@electric-sql\/pglite/, "import { PGlite } from '@electric-sql/pglite';"],
  ['imports postgres.js', /from 'postgres'/, "import postgres from 'postgres';"],
  ['imports a drizzle driver', /from 'drizzle-orm\/(pglite|postgres-js)/, "import { drizzle } from 'drizzle-orm/postgres-js';"],
  ["reaches into the driver's client", /\$client/, 'const client = db.$client;'],
  ['parses the embedded database URL', /['"]memory:\/\//, "if (url === 'memory://') {"],
  ['names a driver', /\bdriver\s*===|\.driver\b/, "if (database.driver === 'pglite') {"],
  // Callers ask src/db for the ability they need (`canServeSeveralProcesses`), not which database it is.
  [
    'asks which database runs',
    /\b(is|uses|runs)_?(Embedded|Pglite|PGlite|Postgres|PostgreSQL|Memory)\w*/,
    'if (isEmbeddedDatabase(config.databaseUrl)) {',
  ],
];

describe('the driver boundary', () => {
  const outside = sourceFiles().filter((path) => !relative(SRC, path).startsWith('db/'));

  it('finds the source files it checks', () => {
    expect(outside.length).toBeGreaterThan(50);
  });

  it.each(DRIVER_KNOWLEDGE)('recognises a line that %s', (_, pattern, example) => {
    expect(example).toMatch(pattern);
  });

  it.each(DRIVER_KNOWLEDGE)('leaves no file outside src/db that %s', (_, pattern) => {
    const offenders = outside.filter((path) => pattern.test(readFileSync(path, 'utf8'))).map((path) => relative(SRC, path));
    expect(offenders).toEqual([]);
  });
});
