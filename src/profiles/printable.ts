/**
 * Text from a file made fit for a terminal: control and format characters escaped as `\uXXXX`
 * (an ingest line can carry a key or a value with terminal escape codes) and the
 * whole cut at `maxChars` (or a 100 kB one would be printed whole).
 */
import { shortened } from '../shortened';

export function printable(text: string, maxChars: number): string {
  // Format characters too (a right-to-left override reorders what follows it), and the
  // line and paragraph separators some terminals break lines at.
  // eslint-disable-next-line no-control-regex -- control characters are what is escaped.
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Cf}]/gu, (char) => {
    const code = char.codePointAt(0)!;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return shortened(escaped, maxChars);
}
