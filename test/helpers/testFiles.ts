/**
 * Result files of tests: one temporary FILES_DIR per test process, removed
 * when the process ends, so no test writes into the checkout's `.data`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localFileStore, type LocalFileStore } from '../../src/files/localFileStore';

let dir: string | undefined;

/** This test process's FILES_DIR. */
export function testFilesDir(): string {
  if (dir === undefined) {
    const created = mkdtempSync(join(tmpdir(), 'gw-files-'));
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
    dir = created;
  }
  return dir;
}

export function testFileStore(): LocalFileStore {
  return localFileStore(testFilesDir());
}
