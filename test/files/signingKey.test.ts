/** The key of download links: configured, or generated once and shared through its file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSigningKey } from '../../src/files/signingKey';

describe('the download signing key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-signing-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes FILES_SIGNING_KEY as given, and refuses one shorter than 32 characters', async () => {
    const configured = 'k'.repeat(32);
    expect((await loadSigningKey({ configured, keyFile: join(dir, 'unused') })).toString('utf8')).toBe(configured);
    await expect(loadSigningKey({ configured: 'short', keyFile: null })).rejects.toThrow(/32/);
    await expect(readdir(dir)).resolves.not.toContain('unused');
  });

  it('generates one key in its file (mode 0600, parent created), and every load after, however many at once, reads it', async () => {
    const keyFile = join(dir, 'nested', 'files-signing-key');
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadSigningKey({ configured: undefined, keyFile })));
    expect(new Set(keys.map((key) => key.toString('hex'))).size).toBe(1);
    expect(keys[0]!.length).toBeGreaterThanOrEqual(32);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const again = await loadSigningKey({ configured: undefined, keyFile });
    expect(again.equals(keys[0]!)).toBe(true);
    // Nothing temporary is left beside it.
    expect(await readdir(join(dir, 'nested'))).toEqual(['files-signing-key']);
  });

  it('refuses a key file that does not hold a key, and never overwrites it', async () => {
    const keyFile = join(dir, 'bad-key');
    await writeFile(keyFile, 'not a key\n');
    await expect(loadSigningKey({ configured: undefined, keyFile })).rejects.toThrow(/FILES_SIGNING_KEY/);
  });

  it('keeps a random key in memory without a file', async () => {
    const [one, two] = await Promise.all([loadSigningKey({ configured: undefined, keyFile: null }), loadSigningKey({ configured: undefined, keyFile: null })]);
    expect(one.equals(two)).toBe(false);
  });
});
