/**
 * The PQL tokenizer: identifiers, numbers, double-quoted strings and
 * punctuation, each with its 1-based line and column. Keywords are plain
 * identifiers here; the parser gives them meaning by position, so `person.last`
 * stays a path.
 */
import { storageProblem } from '../../profiles/storable';
import { PqlSyntaxError, PqlUnsupportedError, type PqlPosition } from './pqlErrors';

export type TokenKind = 'identifier' | 'number' | 'string' | 'punctuation' | 'end';

export interface Token extends PqlPosition {
  kind: TokenKind;
  /** The decoded value: a string literal without quotes and escapes, else the text as written. */
  value: string;
}

/** Expressions longer than this are refused before they are read. */
export const MAX_EXPRESSION_LENGTH = 10_000;
// Digits beyond this are not a plausible segment threshold, and bound what PostgreSQL parses.
const MAX_NUMBER_LENGTH = 40;

// Longest first, so `<=` is never read as `<` then `=`.
const PUNCTUATION = ['=>', '!=', '<=', '>=', '(', ')', '[', ']', ',', '.', '=', '<', '>', '!', '+', '-', '*', '/', '%', '^', ':'];
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };

/** Splits `source` into tokens, ending with one `end` token. Throws PqlSyntaxError. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  let line = 1;
  let lineStart = 0;
  const at = (offset: number, text: string): PqlPosition => ({ line, column: offset - lineStart + 1, token: text });

  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new PqlSyntaxError(`Expression is longer than ${MAX_EXPRESSION_LENGTH} characters`, positionOf(source, MAX_EXPRESSION_LENGTH));
  }
  while (index < source.length) {
    const char = source[index]!;
    if (char === '\n') {
      index += 1;
      line += 1;
      lineStart = index;
      continue;
    }
    if (/\s/.test(char)) {
      index += 1;
      continue;
    }
    const start = index;
    if (/[A-Za-z_]/.test(char)) {
      while (index < source.length && /[A-Za-z0-9_]/.test(source[index]!)) index += 1;
      const text = source.slice(start, index);
      tokens.push({ kind: 'identifier', value: text, ...at(start, text) });
      continue;
    }
    if (/[0-9]/.test(char)) {
      const match = /^[0-9]+(\.[0-9]+)?/.exec(source.slice(start, start + MAX_NUMBER_LENGTH + 2))!;
      const text = match[0];
      index += text.length;
      if (text.length > MAX_NUMBER_LENGTH) throw new PqlSyntaxError('Number literal is too long', at(start, text));
      if (index < source.length && /[A-Za-z_.]/.test(source[index]!)) {
        throw new PqlSyntaxError('Malformed number literal', at(start, source.slice(start, index + 1)));
      }
      tokens.push({ kind: 'number', value: text, ...at(start, text) });
      continue;
    }
    if (char === '"') {
      const { value, end } = readString(source, start, (offset, text) => at(offset, text));
      index = end;
      tokens.push({ kind: 'string', value, ...at(start, source.slice(start, end)) });
      continue;
    }
    if (char === '$') {
      throw new PqlUnsupportedError('$1', at(start, char), 'parameter references are not supported; paths start at the profile');
    }
    const punctuation = PUNCTUATION.find((candidate) => source.startsWith(candidate, index));
    if (!punctuation) throw new PqlSyntaxError(`Unexpected character ${JSON.stringify(char)}`, at(start, char));
    index += punctuation.length;
    tokens.push({ kind: 'punctuation', value: punctuation, ...at(start, punctuation) });
  }
  tokens.push({ kind: 'end', value: '', ...at(index, '') });
  return tokens;
}

function readString(
  source: string,
  start: number,
  at: (offset: number, text: string) => PqlPosition,
): { value: string; end: number } {
  let value = '';
  let index = start + 1;
  while (index < source.length) {
    const char = source[index]!;
    if (char === '"') {
      // The text the expression holds is checked before parsing; what its escapes (`\u0000`,
      // `\uD800`) make is checked here: PostgreSQL refuses NUL and unpaired surrogates.
      if (storageProblem(value, '')) {
        throw new PqlSyntaxError('A string may not hold a NUL character or an unpaired surrogate', at(start, source.slice(start, index + 1)));
      }
      return { value, end: index + 1 };
    }
    if (char === '\n') break;
    if (char !== '\\') {
      value += char;
      index += 1;
      continue;
    }
    const escape = source[index + 1] ?? '';
    if (escape === 'u' && /^[0-9A-Fa-f]{4}$/.test(source.slice(index + 2, index + 6))) {
      value += String.fromCharCode(parseInt(source.slice(index + 2, index + 6), 16));
      index += 6;
      continue;
    }
    const decoded = ESCAPES[escape];
    // The reference asks for `\\w` in regular expressions: a lone `\w` is a mistake worth naming.
    if (decoded === undefined) {
      throw new PqlSyntaxError(
        `Unknown escape \\${escape} in a string (write \\\\${escape} for a backslash)`,
        at(index, `\\${escape}`),
      );
    }
    value += decoded;
    index += 2;
  }
  throw new PqlSyntaxError('Unterminated string literal', at(start, source.slice(start, index)));
}

/** A token's position, without its kind and value. */
export function at(token: Token): PqlPosition {
  return { line: token.line, column: token.column, token: token.token };
}

/** The position of character `offset` of `source`. */
function positionOf(source: string, offset: number): PqlPosition {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column, token: source.slice(offset, offset + 1) };
}
