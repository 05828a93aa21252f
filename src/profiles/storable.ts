/**
 * PostgreSQL's text and jsonb refuse NUL and unpaired UTF-16 surrogates. Both
 * ways profiles come in (the mutation and the file) check for them first, so
 * the client hears which field is wrong instead of a failed write.
 */

export const UNSTORABLE_PROBLEM = 'contains a NUL character or an unpaired surrogate, which cannot be stored';

// With the `u` flag a surrogate range matches only an unpaired surrogate.
const UNSTORABLE = /[\u0000\uD800-\uDFFF]/u;

/** Where in `value` (a string or parsed JSON, named `field`) the first unstorable text is, or null. */
export function unstorablePath(value: unknown, field: string): string | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? field : null;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const path = unstorablePath(item, `${field}[${i}]`);
      if (path) return path;
    }
  } else if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    for (const [key, item] of Object.entries(value)) {
      if (UNSTORABLE.test(key)) return `${field} key ${JSON.stringify(key)}`;
      const path = unstorablePath(item, `${field}.${key}`);
      if (path) return path;
    }
  }
  return null;
}
