/**
 * The first code of a worker thread of ours, for `new Worker(source, { eval: true })`.
 * Built (`npm run build`), the worker's module is a bundle beside ours in
 * `dist/`. From the sources (tests, tsx), it is TypeScript: the worker
 * registers tsx first, since a worker does not inherit `--import tsx`.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RUNS_FROM_SOURCES } from './projectPath';

/** `source`: the worker's TypeScript module; `built`: its bundle's name in `dist/` (an entry point of `scripts/build.mjs`). */
export function workerSource(source: URL, built: string): string {
  if (!RUNS_FROM_SOURCES) return `import(${JSON.stringify(new URL(`./${built}`, import.meta.url).href)})`;
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(join(tsxRoot, 'dist/esm/api/index.mjs')).href;
  return `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source.href)}); })`;
}
