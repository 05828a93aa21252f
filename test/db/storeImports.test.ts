/**
 * `src/db` is the store: tables, the `Database` and its adapters. It serves the
 * domain and imports none of it (STYLE.md debt 2): a loader of jobs or a finder of
 * datasets lives with its domain and imports the store, never the other way round.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SRC, sourceFiles } from '../helpers/sourceFiles';

// The folders of src/ above the store: the domain, the API and the runner.
const ABOVE_THE_STORE = ['batches', 'datasets', 'events', 'files', 'http', 'jobs', 'profiles', 'runner', 'schema', 'segments', 'webhooks'];
const IMPORTS_FROM_ABOVE = new RegExp(`from '\\.\\./(${ABOVE_THE_STORE.join('|')})/`);

describe('the store', () => {
  const store = sourceFiles(join(SRC, 'db'));

  it('finds its files', () => {
    expect(store.length).toBeGreaterThan(20);
  });

  it('recognises an import from the domain', () => {
    expect("import { findExportJobs } from '../jobs/findExportJob';").toMatch(IMPORTS_FROM_ABOVE);
    expect("import type { Tenant } from '../tenant';").not.toMatch(IMPORTS_FROM_ABOVE);
  });

  it('imports nothing from the domain, the API or the runner', () => {
    const offenders = store.filter((path) => IMPORTS_FROM_ABOVE.test(readFileSync(path, 'utf8'))).map((path) => relative(SRC, path));
    expect(offenders).toEqual([]);
  });
});
