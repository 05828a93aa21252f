/** Text of an ingest line as the CLI prints it: nothing in it can drive or reorder the terminal. */
import { describe, expect, it } from 'vitest';
import { printable } from '../../src/profiles/printable';

describe('printable', () => {
  it('escapes control characters, format characters and the Unicode line separators', () => {
    expect(printable('a\u001b[31mRED', 100)).toBe('a\\u001b[31mRED');
    expect(printable('x\u2028y\u2029z', 100)).toBe('x\\u2028y\\u2029z');
    // A right-to-left override, a zero-width joiner, a byte order mark, a tag character (astral).
    expect(printable('\u202eevil\u200d\ufeff\u{e0041}', 100)).toBe('\\u202eevil\\u200d\\ufeff\\u{e0041}');
  });

  it('keeps printable text as it is, emoji and accents included', () => {
    expect(printable('profile-é 😀 ok', 100)).toBe('profile-é 😀 ok');
  });
});
