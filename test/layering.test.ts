/**
 * Imports run one way (STYLE.md debt 2). The shared layers serve the domain and
 * import none of it: `src/db` (tables, the `Database` and its adapters) and
 * `src/pagination` (cursors, page arguments, keyset SQL); a loader of jobs or a
 * finder of datasets lives with its domain and imports the store, never the other
 * way round. The domain and the runner import none of the GraphQL layer
 * (`src/schema`, with its generated types): each domain owns its input types, and
 * the resolvers pass the API's inputs to them, so `npm run ingest` or a runner
 * process needs no GraphQL code.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SRC, sourceFiles } from './helpers/sourceFiles';

// The folders of src/ above the shared layers: the domain, the API and the runner.
const ABOVE = ['batches', 'datasets', 'events', 'files', 'http', 'jobs', 'profiles', 'runner', 'schema', 'segments', 'webhooks'];
const IMPORTS_FROM_ABOVE = new RegExp(`from '\\.\\./(${ABOVE.join('|')})/`);

describe('the shared layers', () => {
  it('recognise an import from the domain', () => {
    expect("import { findExportJobs } from '../jobs/findExportJob';").toMatch(IMPORTS_FROM_ABOVE);
    expect("import type { Tenant } from '../tenant';").not.toMatch(IMPORTS_FROM_ABOVE);
  });

  it.each([
    ['db', 20],
    ['pagination', 3],
  ])('src/%s imports nothing from the domain, the API or the runner', (layer, atLeast) => {
    const files = sourceFiles(join(SRC, layer));
    expect(files.length).toBeGreaterThanOrEqual(atLeast);
    const offenders = files.filter((path) => IMPORTS_FROM_ABOVE.test(readFileSync(path, 'utf8'))).map((path) => relative(SRC, path));
    expect(offenders).toEqual([]);
  });
});

const IMPORTS_THE_API = /from '(\.\.\/)+schema\//;

describe('the domain and the runner', () => {
  it('recognise an import from the GraphQL layer', () => {
    expect("import type { ProfileInput } from '../schema/resolvers.generated';").toMatch(IMPORTS_THE_API);
    expect("import { x } from '../../schema/buildSchema';").toMatch(IMPORTS_THE_API);
    expect("import { parseSchema } from './schemaName';").not.toMatch(IMPORTS_THE_API);
  });

  it.each(['batches', 'datasets', 'events', 'files', 'jobs', 'profiles', 'runner', 'segments', 'webhooks'])(
    'src/%s imports nothing from src/schema',
    (folder) => {
      const files = sourceFiles(join(SRC, folder));
      expect(files.length).toBeGreaterThan(0);
      const offenders = files.filter((path) => IMPORTS_THE_API.test(readFileSync(path, 'utf8'))).map((path) => relative(SRC, path));
      expect(offenders).toEqual([]);
    },
  );
});
