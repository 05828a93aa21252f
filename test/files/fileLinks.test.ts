import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BatchFileRow } from '../../src/db/schema';
import type { ConfiguredFileStore } from '../../src/files/createFileStore';
import { verifyDownload } from '../../src/files/downloadSignature';
import { fileLinks } from '../../src/files/fileLinks';

const KEY = randomBytes(32);
const FILE = { id: 'bf_0001', name: 'part-00000.jsonl.gz' } as BatchFileRow;
const LOCAL_STORE = { kind: 'local' } as ConfiguredFileStore;

const links = fileLinks({ signingKey: KEY, publicUrl: 'https://gw.example', fallbackOrigin: () => 'http://unused', store: LOCAL_STORE });

afterEach(() => {
  vi.useRealTimers();
});

describe('signed download links', () => {
  it('live at least the seconds asked, even when asked for in the last millisecond of a second', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const issuedAtMs = 1_800_000_000_999;
    vi.setSystemTime(issuedAtMs);
    const url = new URL(await links.downloadUrl(FILE, 1, {}));
    expect(url.origin).toBe('https://gw.example');
    expect(url.pathname).toBe(`/files/${FILE.id}/${FILE.name}`);
    const query = url.searchParams;
    // Valid for the whole second asked (a floor would have let it expire 1 ms after issue)…
    expect(verifyDownload(KEY, FILE.id, query, (issuedAtMs + 999) / 1000)).toBe('valid');
    // …and not much longer.
    expect(verifyDownload(KEY, FILE.id, query, (issuedAtMs + 1001) / 1000 + 1)).toBe('expired');
  });
});
