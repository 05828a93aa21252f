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
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const project = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${project}dist`;

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: project,
  // The server, and the modules of its worker threads (see src/workerSource.ts).
  entryPoints: { main: 'src/main.ts', pgliteWorker: 'src/db/pgliteWorker.ts', fileWriterWorker: 'src/files/fileWriterWorker.ts' },
  outdir,
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
});
