/**
 * Cursors and page arguments alone, without a database (the lists that use them
 * are tested through the API): a cursor opens only in the list and tenant it was
 * given for, every malformed one is BAD_USER_INPUT naming its argument, and page
 * sizes are bounded.
 */
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors';
import { cursorEncoder, decodeCursor, decodeKeyCursor, keyCursorEncoder } from '../../src/pagination/cursor';
import { MAX_PAGE_SIZE, parsePageArgs } from '../../src/pagination/pageRequest';

const TENANT = { orgId: 'ORG_A@AdobeOrg', sandboxName: 'prod' };
const position = { time: new Date('2026-11-30T10:00:00.123Z'), id: '1042' };

/** The BAD_USER_INPUT `work` throws: its field and message. */
function refusal(work: () => unknown): { field: unknown; message: string } {
  try {
    work();
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(GatewayError);
    const refused = error as GatewayError;
    expect(refused.extensions.code).toBe('BAD_USER_INPUT');
    return { field: refused.extensions.field, message: refused.message };
  }
  throw new Error('nothing was refused');
}

describe('cursors', () => {
  it('give back the position they were made from, to the millisecond', () => {
    const cursor = cursorEncoder('job', TENANT)(position);
    expect(decodeCursor('job', TENANT, cursor, 'after')).toEqual(position);
    expect(decodeKeyCursor('record', TENANT, keyCursorEncoder('record', TENANT)('p:1 ü'), 'after')).toBe('p:1 ü');
  });

  it('carry a hash of the tenant, never its names', () => {
    const text = Buffer.from(cursorEncoder('job', TENANT)(position), 'base64url').toString('utf8');
    expect(text).not.toContain(TENANT.orgId);
    expect(text).toMatch(/^v1:job:[\w-]{12}:1796032800123:1042$/);
  });

  it('refuse a cursor of another organisation or sandbox, naming the argument', () => {
    const cursor = cursorEncoder('job', TENANT)(position);
    for (const other of [{ ...TENANT, orgId: 'ORG_B@AdobeOrg' }, { ...TENANT, sandboxName: 'dev' }]) {
      expect(refusal(() => decodeCursor('job', other, cursor, 'before'))).toEqual({
        field: 'before',
        message: '`before` is a cursor of another organisation or sandbox',
      });
    }
  });

  it('refuse a cursor of another list, a malformed, tampered or foreign one', () => {
    const job = cursorEncoder('job', TENANT)(position);
    const forged = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
    const tag = Buffer.from(job, 'base64url').toString('utf8').split(':')[2]!;
    for (const cursor of [
      cursorEncoder('dataset', TENANT)({ time: position.time, id: 'a'.repeat(24) }),
      'not a cursor',
      '',
      forged(`v2:job:${tag}:1796032800123:1042`),
      forged(`v1:job:${tag}:yesterday:1042`),
      // A time past the year 9999, which PostgreSQL cannot read (`+010000-01-01…`).
      forged(`v1:job:${tag}:253402300800000:1042`),
      // An id that is no job id: it would only fail later, in SQL.
      forged(`v1:job:${tag}:1796032800123:1042; drop table export_jobs`),
    ]) {
      expect(refusal(() => decodeCursor('job', TENANT, cursor, 'after'))).toEqual({
        field: 'after',
        message: '`after` is not a cursor of this list',
      });
    }
    // A record key may hold anything but NUL, which PostgreSQL refuses even to compare.
    expect(refusal(() => decodeKeyCursor('record', TENANT, forged(`v1:record:${tag}:p\u0000`), 'after')).field).toBe('after');
  });
});

describe('page arguments', () => {
  it('walk forward by default, backward with last or before alone', () => {
    expect(parsePageArgs('job', TENANT, {})).toEqual({ direction: 'forward', limit: 20, after: null, before: null });
    expect(parsePageArgs('job', TENANT, { last: 5 })).toMatchObject({ direction: 'backward', limit: 5 });
    const before = cursorEncoder('job', TENANT)(position);
    expect(parsePageArgs('job', TENANT, { before })).toEqual({ direction: 'backward', limit: 20, after: null, before: position });
    expect(parsePageArgs('job', TENANT, { first: 0 })).toMatchObject({ direction: 'forward', limit: 0 });
  });

  it('refuse both first and last, and sizes out of bounds, naming the argument', () => {
    expect(refusal(() => parsePageArgs('job', TENANT, { first: 1, last: 1 })).field).toBe('last');
    expect(refusal(() => parsePageArgs('job', TENANT, { first: MAX_PAGE_SIZE + 1 }))).toEqual({
      field: 'first',
      message: `\`first\` must be between 0 and ${MAX_PAGE_SIZE} (got ${MAX_PAGE_SIZE + 1})`,
    });
    expect(refusal(() => parsePageArgs('job', TENANT, { last: -1 })).field).toBe('last');
  });
});
