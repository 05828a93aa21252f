/**
 * What PostgreSQL can store and index, checked before any write so the client
 * hears which field is wrong instead of a failed statement. Text and jsonb
 * refuse NUL and unpaired UTF-16 surrogates; a btree entry holds at most 2,704
 * bytes; and a document nested thousands deep overflows every recursive walk of
 * it (ours, JSON.stringify, PostgreSQL's). Profiles (the mutation and the
 * file), jobs and datasets all check their input here, against one set of limits.
 */
import { badUserInput } from '../errors';

const UNSTORABLE_PROBLEM = 'contains a NUL character or an unpaired surrogate, which cannot be stored';

/**
 * The most characters (UTF-16 code units) of an id or key: a profile, segment
 * or dataset id, a namespace, an idempotency key, a dataset name. At most 3
 * bytes of UTF-8 each, so the widest index (three such ids, in
 * `segment_memberships`) stays under PostgreSQL's 2,704-byte btree entry.
 */
export const MAX_KEY_LENGTH = 255;

/** The most levels of objects and arrays in a JSON document (`attributes`, an event's `data`): `{"a":{"b":1}}` has 2. */
export const MAX_NESTING_DEPTH = 32;

// With the `u` flag a surrogate range matches only an unpaired surrogate.
// eslint-disable-next-line no-control-regex -- NUL is one of the two things refused.
const UNSTORABLE = /[\u0000\uD800-\uDFFF]/u;

/** What is wrong with `value` as an id or key, or null when it can be stored and indexed. */
export function keyProblem(value: string): string | null {
  if (value.length > MAX_KEY_LENGTH) return `must have at most ${MAX_KEY_LENGTH} characters (got ${value.length})`;
  return UNSTORABLE.test(value) ? UNSTORABLE_PROBLEM : null;
}

/**
 * `value` trimmed, as an id or key of an API input: BAD_USER_INPUT naming
 * `field` when it is empty, unstorable or too long to index.
 */
export function requiredKey(value: string, field: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw badUserInput(field, `\`${field}\` must not be empty`);
  const problem = keyProblem(trimmed);
  if (problem) throw badUserInput(field, `\`${field}\` ${problem}`);
  return trimmed;
}

/** Whether `id` could name a stored row: anything else is absent, and is never sent to the database. */
export function couldBeStoredKey(id: string): boolean {
  return keyProblem(id) === null;
}

/** A value PostgreSQL would refuse: where (`attributes.a.b`) and why. */
export interface StorageProblem {
  field: string;
  problem: string;
}

/**
 * The first problem of `value` (a string or parsed JSON, named `field`): unstorable
 * text, named by its path, or nesting deeper than `MAX_NESTING_DEPTH`, named by
 * `field` (the document as a whole). Null when it can be stored. The walk stops
 * at the depth limit, so no input overflows the stack.
 */
export function storageProblem(value: unknown, field: string): StorageProblem | null {
  return problemAt(value, field, field, 0);
}

function problemAt(value: unknown, path: string, document: string, levels: number): StorageProblem | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? { field: path, problem: UNSTORABLE_PROBLEM } : null;
  // JSON.parse reads 1e400 as Infinity, which JSON.stringify would store as null, silently.
  if (typeof value === 'number' && !Number.isFinite(value)) return { field: path, problem: 'is a number too large to store (beyond ±1.8e308)' };
  if (typeof value !== 'object' || value === null || value instanceof Date) return null;
  if (levels >= MAX_NESTING_DEPTH) {
    return { field: document, problem: `nests objects and arrays more than ${MAX_NESTING_DEPTH} levels deep` };
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = problemAt(item, `${path}[${i}]`, document, levels + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    if (UNSTORABLE.test(key)) return { field: `${path} key ${JSON.stringify(key)}`, problem: UNSTORABLE_PROBLEM };
    const found = problemAt(item, `${path}.${key}`, document, levels + 1);
    if (found) return found;
  }
  return null;
}
