/**
 * `npm run build` may run while a server runs from `dist/` (a `npm run worker`
 * started beside `npm start`): a build of unchanged sources rewrites nothing,
 * so no module a running server loads late is ever missing or half-written.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(PROJECT, 'dist');

describe('npm run build', () => {
  it('leaves every file of an unchanged build untouched, and builds the server and its threads’ modules', () => {
    const before = new Map(readdirSync(DIST).map((name) => [name, statSync(join(DIST, name)).mtimeMs]));
    execFileSync(process.execPath, [join(PROJECT, 'scripts/build.mjs')]);
    const after = new Map(readdirSync(DIST).map((name) => [name, statSync(join(DIST, name)).mtimeMs]));
    expect(after).toEqual(before);
    expect([...after.keys()]).toEqual(expect.arrayContaining(['main.mjs', 'pgliteWorker.mjs', 'fileWriterWorker.mjs']));
  });
});
