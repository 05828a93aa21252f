/**
 * The `fields` lists of a job: comma-separated dot paths such as
 * `identities.id,personalEmail.address`.
 */
import { badUserInput } from '../errors';
import { MAX_KEY_LENGTH } from '../profiles/storable';

/**
 * The most paths of one list. Every path becomes parameters of each chunk
 * statement of the export (about d² for a path of d names, for events), and
 * a statement takes at most 65,535 parameters: 10,000 paths were accepted
 * once and failed every run.
 */
export const MAX_FIELD_PATHS = 200;

/** The most names of one path; with `MAX_FIELD_PATHS` of them in both lists a chunk stays near 50,000 parameters. */
export const MAX_FIELD_PATH_DEPTH = 10;

const PATH_SEGMENT = /^[A-Za-z_@$][A-Za-z0-9_@$-]*$/;

/**
 * Validates and normalises a `fields` list (spaces around commas dropped,
 * repeats removed). Empty or omitted means every field: null.
 */
export function normalizeFieldPaths(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const paths = value.split(',').map((path) => path.trim());
  if (paths.length > MAX_FIELD_PATHS) {
    throw badUserInput(field, `\`${field}\` may list at most ${MAX_FIELD_PATHS} paths (got ${paths.length})`);
  }
  for (const path of paths) {
    const names = path.split('.');
    const valid = path !== '' && names.every((name) => PATH_SEGMENT.test(name));
    if (!valid) {
      throw badUserInput(
        field,
        `\`${field}\` has a malformed path ${quoted(path)}: expected dot-separated names such as personalEmail.address`,
      );
    }
    if (names.length > MAX_FIELD_PATH_DEPTH || names.some((name) => name.length > MAX_KEY_LENGTH)) {
      const limits = `at most ${MAX_FIELD_PATH_DEPTH} names of at most ${MAX_KEY_LENGTH} characters`;
      throw badUserInput(field, `\`${field}\` has a path ${quoted(path)} longer than ${limits}`);
    }
  }
  return [...new Set(paths)].join(',');
}

/** A path as the message shows it: a path may be as long as the request. */
function quoted(path: string): string {
  return JSON.stringify(path.length > 80 ? `${path.slice(0, 77)}...` : path);
}
