/** One row in COPY's text format: tab-separated, `\N` for null, backslash escapes; ends with a newline. */
export function copyLine(values: readonly (string | number | boolean | null)[]): string {
  return values.map(copyValue).join('\t') + '\n';
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function copyValue(value: string | number | boolean | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  return value.replace(/[\\\n\r\t]/g, (char) => COPY_ESCAPES[char]!);
}
