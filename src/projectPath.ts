/**
 * Files of the project itself (the schema, the migrations, the browser files)
 * by their path from the project's root. The root is found, not assumed: this
 * code runs from `src/` under tsx and from `dist/` bundled (`npm run build`),
 * where a path relative to the module would differ.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  for (let directory = dirname(fileURLToPath(import.meta.url)); ; ) {
    if (existsSync(join(directory, 'schema.graphql')) && existsSync(join(directory, 'package.json'))) return directory;
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`No project root (schema.graphql beside package.json) above ${fileURLToPath(import.meta.url)}`);
    directory = parent;
  }
}

const PROJECT_ROOT = findRoot();

/** `relative` (e.g. `drizzle`, `src/web/public/jobs.js`) as an absolute path. */
export function projectPath(relative: string): string {
  return join(PROJECT_ROOT, relative);
}

/** Whether this code runs from the TypeScript sources (tsx: tests, scripts) rather than the build. */
export const RUNS_FROM_SOURCES = import.meta.url.endsWith('.ts');
