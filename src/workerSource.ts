/**
 * The first code of a worker thread of ours, for `new Worker(source, { eval: true })`.
 * Built (`npm run build`), the worker's module is a bundle beside ours in
 * `dist/`. From the sources (tsx), it is TypeScript: the worker registers tsx
 * first, since a worker does not inherit `--import tsx` — unless
 * `GW_THREADS_FROM_BUILD` is set: the tests set it once they have built
 * `dist/` for their run (test/globalSetup.ts), because registering tsx costs a
 * new thread about 0.7 s here, and the tests open hundreds of PGlite threads.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectPath, RUNS_FROM_SOURCES } from './projectPath';

/** `source`: the worker's TypeScript module; `built`: its bundle's name in `dist/` (an entry point of `scripts/build.mjs`). */
export function workerSource(source: URL, built: string): string {
  if (!RUNS_FROM_SOURCES) return `import(${JSON.stringify(new URL(`./${built}`, import.meta.url).href)})`;
  if (process.env.GW_THREADS_FROM_BUILD === '1') return `import(${JSON.stringify(pathToFileURL(projectPath(`dist/${built}`)).href)})`;
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(join(tsxRoot, 'dist/esm/api/index.mjs')).href;
  return `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source.href)}); })`;
}
