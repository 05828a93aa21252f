/** Which database errors the runner treats as passing (postgresErrors.ts): it hands the job back for them, and fails it for the rest. */
import { describe, expect, it } from 'vitest';
import { isTransientDatabaseError } from '../../src/db/postgresErrors';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('isTransientDatabaseError', () => {
  it.each([
    ['57P01', 'a backend ended by an administrator (or a fast shutdown)'],
    ['57P02', 'a crash shutdown'],
    ['57P03', 'a server still starting'],
    ['08006', 'a connection failure'],
    ['08003', 'a connection that does not exist'],
    ['40001', 'a serialization failure'],
    ['40P01', 'a deadlock'],
    ['53300', 'too many connections'],
    ['CONNECTION_CLOSED', "postgres.js's closed connection"],
    ['ECONNREFUSED', 'a refused connection'],
    ['ECONNRESET', 'a reset connection'],
    // Five capitals, as a SQLSTATE may be: read as one, it was taken for a permanent error.
    ['EPIPE', 'a socket that closed while a statement was written'],
  ])('is true for %s: %s', (code) => {
    expect(isTransientDatabaseError(withCode(code))).toBe(true);
    // As drizzle wraps the driver's error.
    expect(isTransientDatabaseError(new Error('Failed query', { cause: withCode(code) }))).toBe(true);
  });

  it.each([
    ['23505', 'a unique violation'],
    ['22P02', 'bad input'],
    ['08P01', 'a protocol violation, which the same message gets every time'],
    ['42P01', 'a missing table'],
    ['57014', 'a statement timeout (the chunk loop retries it smaller)'],
    ['ENOENT', 'a missing file'],
    ['EPERM', 'a permission refused'],
    ['XX000', 'an internal error of the server'],
  ])('is false for %s: %s', (code) => {
    expect(isTransientDatabaseError(withCode(code))).toBe(false);
  });

  it('is false for an error without a code, and for what is not an error', () => {
    expect(isTransientDatabaseError(new Error('connection closed'))).toBe(false);
    expect(isTransientDatabaseError('CONNECTION_CLOSED')).toBe(false);
    expect(isTransientDatabaseError(undefined)).toBe(false);
  });
});
