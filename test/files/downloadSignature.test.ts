import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signDownloadPath, verifyDownload } from '../../src/files/downloadSignature';

const KEY = randomBytes(32);
const FILE_ID = 'file-7f3a';
const EXPIRES_AT = 1_900_000_000;
const BEFORE = EXPIRES_AT - 60;

/** The file id and query of a signed path, as the handler reads them. */
function partsOf(path: string): { fileId: string; query: URLSearchParams } {
  const url = new URL(path, 'http://files.test');
  return { fileId: decodeURIComponent(url.pathname.slice('/files/'.length)), query: url.searchParams };
}

function signed(fileId = FILE_ID, expiresAt = EXPIRES_AT) {
  return partsOf(signDownloadPath(KEY, fileId, expiresAt));
}

describe('download link signatures', () => {
  it('signs a path of the form /files/{id}?expires=…&signature=… (base64url)', () => {
    expect(signDownloadPath(KEY, FILE_ID, EXPIRES_AT)).toMatch(
      new RegExp(`^/files/${FILE_ID}\\?expires=${EXPIRES_AT}&signature=[A-Za-z0-9_-]{43}$`),
    );
  });

  it('accepts its own link before the expiry', () => {
    const { fileId, query } = signed();
    expect(fileId).toBe(FILE_ID);
    expect(verifyDownload(KEY, fileId, query, BEFORE)).toBe('valid');
  });

  it('round-trips an id that needs percent-encoding', () => {
    const id = 'a/b?c=d&e f#ü';
    const { fileId, query } = signed(id);
    expect(fileId).toBe(id);
    expect(verifyDownload(KEY, fileId, query, BEFORE)).toBe('valid');
  });

  it('says expired for its own link at and after the expiry', () => {
    const { fileId, query } = signed();
    expect(verifyDownload(KEY, fileId, query, EXPIRES_AT - 0.001)).toBe('valid');
    expect(verifyDownload(KEY, fileId, query, EXPIRES_AT)).toBe('expired');
    expect(verifyDownload(KEY, fileId, query, EXPIRES_AT + 3600)).toBe('expired');
  });

  it('says forged for a link to another file', () => {
    const { query } = signed();
    expect(verifyDownload(KEY, 'file-7f3b', query, BEFORE)).toBe('forged');
  });

  it('says forged for a link whose expiry was pushed back, even once the real one has passed', () => {
    const { fileId, query } = signed();
    query.set('expires', String(EXPIRES_AT + 86_400));
    expect(verifyDownload(KEY, fileId, query, BEFORE)).toBe('forged');
    expect(verifyDownload(KEY, fileId, query, EXPIRES_AT + 10)).toBe('forged');
  });

  it('says forged for an altered signature', () => {
    const { fileId, query } = signed();
    const signature = query.get('signature')!;
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    query.set('signature', flipped);
    expect(verifyDownload(KEY, fileId, query, BEFORE)).toBe('forged');
  });

  it('says forged for a truncated or lengthened signature', () => {
    const { fileId, query } = signed();
    const signature = query.get('signature')!;
    for (const altered of [signature.slice(0, -1), signature + 'A', '']) {
      query.set('signature', altered);
      expect(verifyDownload(KEY, fileId, query, BEFORE)).toBe('forged');
    }
  });

  it('says forged for a link signed with another key, even an expired one', () => {
    const { fileId, query } = partsOf(signDownloadPath(randomBytes(32), FILE_ID, EXPIRES_AT));
    expect(verifyDownload(KEY, fileId, query, BEFORE)).toBe('forged');
    expect(verifyDownload(KEY, fileId, query, EXPIRES_AT + 10)).toBe('forged');
  });

  it.each(['expires', 'signature'])('says forged for a link without %s', (name) => {
    const { fileId, query } = signed();
    query.delete(name);
    expect(verifyDownload(KEY, fileId, query, BEFORE)).toBe('forged');
  });

  it('says forged for a parameter given twice, even when both copies are genuine', () => {
    const { fileId, query } = signed();
    query.append('expires', String(EXPIRES_AT));
    expect(verifyDownload(KEY, fileId, query, BEFORE)).toBe('forged');
  });

  it.each([
    ['a word', 'soon'],
    ['a fraction', `${EXPIRES_AT}.0`],
    ['a sign', `+${EXPIRES_AT}`],
    ['a leading zero', `0${EXPIRES_AT}`],
    ['an exponent', '1.9e9'],
    ['hex', '0x713fb300'],
    ['spaces', ` ${EXPIRES_AT}`],
    ['empty', ''],
  ])('says forged for an expiry written as %s', (_, expires) => {
    const { fileId, query } = signed();
    query.set('expires', expires);
    expect(verifyDownload(KEY, fileId, query, BEFORE)).toBe('forged');
  });

  it('refuses to sign an expiry that is not a whole number of seconds', () => {
    expect(() => signDownloadPath(KEY, FILE_ID, 1.5)).toThrow(RangeError);
  });
});
