/**
 * `matches` takes a Java regular expression; PostgreSQL runs its own (ARE)
 * flavour, and a pattern it rejects fails the whole statement at execution.
 * This translates the common subset both read alike (literals, `.`, `^`, `$`,
 * `|`, groups, lookaround, classes, quantifiers up to 255, `\d \w \s`, `\b`,
 * a leading `(?i)`) and refuses everything else at compile time.
 */
const MAX_PATTERN_LENGTH = 1000;
// PostgreSQL's largest repetition count (RE_DUP_MAX).
const MAX_REPETITION = 255;
// The upper counts of a pattern's bounded repetitions, summed: each one is an automaton's
// states. PGlite answered a statement whose pattern summed about 12,000 with no row and no
// error (PostgreSQL ran it), so an evaluation read nothing and succeeded.
const MAX_REPETITION_TOTAL = 2_000;
// Java's shorthands are ASCII (without its UNICODE_CHARACTER_CLASS flag); PostgreSQL's follow
// the database's locale, where \w matches "é". Spelt out, both read them alike. Inside [ ],
// only the lowercase ones, without their brackets.
const WORD = 'A-Za-z0-9_';
const SPACE = ' \\t\\n\\v\\f\\r';
const SHORTHANDS: Record<string, { outside: string; inside?: string }> = {
  d: { outside: '[0-9]', inside: '0-9' },
  D: { outside: '[^0-9]' },
  w: { outside: `[${WORD}]`, inside: WORD },
  W: { outside: `[^${WORD}]` },
  s: { outside: `[${SPACE}]`, inside: SPACE },
  S: { outside: `[^${SPACE}]` },
};
const CONTROL_ESCAPES = new Set(['t', 'n', 'r', 'f']);
// Java's line terminators, which its `.` does not match.
const ANY_BUT_LINE_TERMINATOR = '[^\\n\\r\\u0085\\u2028\\u2029]';
// Escapes whose Java meaning is spelled differently in PostgreSQL.
const RENAMED_ESCAPES: Record<string, string> = { b: '\\y', B: '\\Y', A: '\\A', z: '\\Z' };

/** The PostgreSQL pattern for a Java one, or the reason it is refused. */
export function translateRegex(pattern: string): { pattern: string } | { refused: string } {
  if (pattern.length > MAX_PATTERN_LENGTH) return { refused: `patterns are limited to ${MAX_PATTERN_LENGTH} characters` };
  let out = '';
  let index = 0;
  if (pattern.startsWith('(?i)')) {
    out = '(?i)';
    index = 4;
  }
  // Per open group: whether it holds a bounded repetition (nesting them can make PostgreSQL's
  // automaton too big), and its atoms (a repetition of the group copies each of them).
  const groups: { bounded: boolean; lookaround: boolean; atoms: number }[] = [];
  let lastAtom: 'none' | 'atom' | 'group' | 'quantified' = 'none';
  let lastGroupBounded = false;
  let lastGroupAtoms = 0;
  let repetitionTotal = 0;
  const countAtom = () => {
    const open = groups.at(-1);
    if (open) open.atoms += 1;
  };
  while (index < pattern.length) {
    const char = pattern[index]!;
    if (char === '\\') {
      const escaped = escape(pattern, index, false);
      if ('refused' in escaped) return escaped;
      out += escaped.text;
      index += escaped.length;
      lastAtom = escaped.anchor ? 'none' : 'atom';
      if (!escaped.anchor) countAtom();
      continue;
    }
    if (char === '[') {
      const klass = characterClass(pattern, index);
      if ('refused' in klass) return klass;
      out += klass.text;
      index += klass.length;
      lastAtom = 'atom';
      countAtom();
      continue;
    }
    if (char === '(') {
      const opener = ['(?:', '(?=', '(?!', '(?<=', '(?<!'].find((candidate) => pattern.startsWith(candidate, index));
      if (pattern[index + 1] === '?' && !opener) return { refused: 'only (?:…) and lookaround groups are supported' };
      if (pattern[index + (opener?.length ?? 1)] === ')') return { refused: 'empty groups are not supported' };
      out += opener ?? '(';
      index += opener?.length ?? 1;
      groups.push({ bounded: false, lookaround: opener !== undefined && opener !== '(?:', atoms: 0 });
      lastAtom = 'none';
      continue;
    }
    if (char === ')') {
      const group = groups.pop();
      if (!group) return { refused: 'unbalanced parenthesis' };
      out += ')';
      index += 1;
      // A lookaround matches no text: PostgreSQL refuses to repeat it.
      lastAtom = group.lookaround ? 'none' : 'group';
      lastGroupBounded = group.bounded;
      lastGroupAtoms = group.atoms;
      if (group.bounded && groups.length > 0) groups[groups.length - 1]!.bounded = true;
      if (groups.length > 0) groups[groups.length - 1]!.atoms += group.atoms;
      continue;
    }
    if (char === '*' || char === '+' || char === '?' || char === '{') {
      if (lastAtom !== 'atom' && lastAtom !== 'group') return { refused: `quantifier "${char}" has nothing to repeat` };
      let quantifier = char;
      if (char === '{') {
        const match = /^\{(\d{1,3})(,(\d{0,3}))?\}/.exec(pattern.slice(index));
        if (!match) return { refused: 'a "{" must start a repetition {n}, {n,} or {n,m}' };
        const low = Number(match[1]);
        const high = match[3] ? Number(match[3]) : low;
        if (low > MAX_REPETITION || high > MAX_REPETITION || high < low) {
          return { refused: `repetition counts must be at most ${MAX_REPETITION}, the first not above the second` };
        }
        if (lastAtom === 'group' && lastGroupBounded) return { refused: 'nested bounded repetitions are not supported' };
        // {n,} counts n: what it adds past n is unbounded, which costs no states. A group's
        // repetition copies each of its atoms: (?:\\w\\w){255} costs 510.
        repetitionTotal += high * (lastAtom === 'group' ? Math.max(1, lastGroupAtoms) : 1);
        if (repetitionTotal > MAX_REPETITION_TOTAL) {
          return { refused: `the counts of a pattern's repetitions {n,m} may add up to at most ${MAX_REPETITION_TOTAL}` };
        }
        if (groups.length > 0) groups[groups.length - 1]!.bounded = true;
        quantifier = match[0];
      }
      index += quantifier.length;
      // A lazy quantifier reads alike in both; a possessive one (`*+`) does not exist in PostgreSQL.
      if (pattern[index] === '?') {
        quantifier += '?';
        index += 1;
      } else if (pattern[index] === '+') {
        return { refused: 'possessive quantifiers are not supported' };
      }
      out += quantifier;
      lastAtom = 'quantified';
      continue;
    }
    if (char === '.') {
      // Java's `.` (without DOTALL) stops at a line terminator; PostgreSQL's matches anything.
      out += ANY_BUT_LINE_TERMINATOR;
      index += 1;
      lastAtom = 'atom';
      countAtom();
      continue;
    }
    if (char === ']' || char === '}') return { refused: `escape a literal "${char}" as \\${char}` };
    out += char;
    index += 1;
    lastAtom = char === '^' || char === '$' || char === '|' ? 'none' : 'atom';
    if (lastAtom === 'atom') countAtom();
  }
  if (groups.length > 0) return { refused: 'unbalanced parenthesis' };
  return { pattern: out };
}

type Escaped = { text: string; length: number; anchor: boolean } | { refused: string };

function escape(pattern: string, index: number, inClass: boolean): Escaped {
  const next = pattern[index + 1];
  if (next === undefined) return { refused: 'the pattern ends with a backslash' };
  const shorthand = Object.hasOwn(SHORTHANDS, next) ? SHORTHANDS[next]! : undefined;
  if (shorthand) {
    if (inClass && shorthand.inside === undefined) return { refused: `\\${next} is not supported inside [ ]` };
    return { text: inClass ? shorthand.inside! : shorthand.outside, length: 2, anchor: false };
  }
  if (CONTROL_ESCAPES.has(next)) return { text: `\\${next}`, length: 2, anchor: false };
  if (!inClass && Object.hasOwn(RENAMED_ESCAPES, next)) return { text: RENAMED_ESCAPES[next]!, length: 2, anchor: true };
  if (next === 'u' && /^[0-9A-Fa-f]{4}$/.test(pattern.slice(index + 2, index + 6))) {
    return { text: pattern.slice(index, index + 6), length: 6, anchor: false };
  }
  if (/[A-Za-z0-9]/.test(next)) return { refused: `the escape \\${next} is not supported` };
  // An escaped punctuation character is that character in both flavours.
  return { text: `\\${next}`, length: 2, anchor: false };
}

function characterClass(pattern: string, start: number): { text: string; length: number } | { refused: string } {
  let index = start + 1;
  let out = '[';
  if (pattern[index] === '^') {
    out += '^';
    index += 1;
  }
  if (pattern[index] === ']') return { refused: 'escape a "]" that starts a class as \\]' };
  let previous: string | undefined;
  while (index < pattern.length && pattern[index] !== ']') {
    const char = pattern[index]!;
    if (char === '[') return { refused: 'nested classes and [: :] are not supported; escape "[" as \\[' };
    if (char === '&' && pattern[index + 1] === '&') return { refused: 'class intersection (&&) is not supported' };
    const first = out === '[' || out === '[^';
    if (char === '-' && previous === undefined && !first && pattern[index + 1] !== ']') {
      return { refused: 'a "-" after a shorthand such as \\d must be escaped as \\-' };
    }
    if (char === '-' && previous !== undefined && pattern[index + 1] !== ']') {
      const end = classCharacter(pattern, index + 1);
      if ('refused' in end) return end;
      if (end.char === undefined || end.char < previous) return { refused: 'a range in [ ] must go from a lower to a higher character' };
      out += `-${end.text}`;
      index += 1 + end.length;
      previous = undefined;
      continue;
    }
    const item = classCharacter(pattern, index);
    if ('refused' in item) return item;
    out += item.text;
    index += item.length;
    previous = item.char;
  }
  if (pattern[index] !== ']') return { refused: 'unterminated [ ]' };
  return { text: `${out}]`, length: index + 1 - start };
}

/** One member of a class: a character (`char` set, usable in a range) or a shorthand such as \d. */
function classCharacter(
  pattern: string,
  index: number,
): { text: string; length: number; char: string | undefined } | { refused: string } {
  const char = pattern[index];
  if (char === undefined) return { refused: 'unterminated [ ]' };
  if (char !== '\\') return { text: char, length: 1, char };
  const escaped = escape(pattern, index, true);
  if ('refused' in escaped) return escaped;
  const literal = /^\\[^A-Za-z0-9]$/.test(escaped.text) ? escaped.text[1] : undefined;
  return { text: escaped.text, length: escaped.length, char: literal };
}
