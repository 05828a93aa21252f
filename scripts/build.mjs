#!/usr/bin/env node
/**
 * `npm run build` (run by `npm start` and `npm run worker` first): the server
 * as plain JavaScript in `dist/`, so that production runs no TypeScript loader.
 * tsx transforms every module as it loads and keeps a loader thread of its own
 * (and PGlite's worker thread a second one): 63 MB of an idle server's memory
 * on PostgreSQL, 140 MB on PGlite, and a slower start. Our sources are
 * bundled into entry points (the server, the modules of its threads) and
 * chunks for what is loaded lazily (the S3 store);
 * packages stay in node_modules, loaded by Node as usual.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const project = fileURLToPath(new URL('..', import.meta.url));

const { outputFiles } = await build({
  absWorkingDir: project,
  // The server, and the modules of its worker threads (see src/workerSource.ts).
  entryPoints: { main: 'src/main.ts', pgliteWorker: 'src/db/pgliteWorker.ts', fileWriterWorker: 'src/files/fileWriterWorker.ts' },
  outdir: `${project}dist`,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  // Dynamic imports stay lazy: they become chunks of their own.
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
  write: false,
});

// A server may be running from dist/ while another process of the same checkout starts
// (`npm run worker` beside `npm start`), and it loads some modules late (a thread's, the S3
// store's): only files that changed are replaced, each by a rename, so none is ever missing
// or half-written. Chunks are named by their content; old ones stay for servers still running.
for (const file of outputFiles) {
  let current;
  try {
    current = readFileSync(file.path);
  } catch {
    current = undefined;
  }
  if (current !== undefined && Buffer.compare(current, file.contents) === 0) continue;
  mkdirSync(dirname(file.path), { recursive: true });
  const temporary = `${file.path}.tmp-${process.pid}`;
  writeFileSync(temporary, file.contents);
  renameSync(temporary, file.path);
}
