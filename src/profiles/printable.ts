/**
 * Text from a file made fit for a terminal: control characters escaped as `\uXXXX`
 * (an ingest line can carry a key or a value with terminal escape codes) and the
 * whole cut at `maxChars` (or a 100 kB one would be printed whole).
 */
import { shortened } from '../shortened';

export function printable(text: string, maxChars: number): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is escaped.
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return shortened(escaped, maxChars);
}
