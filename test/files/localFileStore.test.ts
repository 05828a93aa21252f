/** Result files on local disk: what removing a batch leaves of its job's directory. */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localFileStore } from '../../src/files/localFileStore';

describe('localFileStore', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  it("removes a batch's files, and its job's directory with the last batch, never before", async () => {
    const root = mkdtempSync(join(tmpdir(), 'gw-store-'));
    roots.push(root);
    const store = localFileStore(root);
    for (const batch of ['b1', 'b2']) {
      mkdirSync(store.directoryOf(7, batch), { recursive: true });
      writeFileSync(join(store.directoryOf(7, batch), 'part-00000.jsonl'), '{}\n');
    }
    await store.removeBatch(7, 'b1');
    expect(existsSync(store.directoryOf(7, 'b1'))).toBe(false);
    expect(existsSync(join(store.directoryOf(7, 'b2'), 'part-00000.jsonl'))).toBe(true);
    await store.removeBatch(7, 'b2');
    expect(existsSync(join(root, '7'))).toBe(false);
    // Removing again, or a batch of a job that has none left, is no error.
    await store.removeBatch(7, 'b2');
    await store.removeBatch(8, 'b1');
  });
});
