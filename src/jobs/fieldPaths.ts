/**
 * The `fields` lists of a job: comma-separated dot paths such as
 * `identities.id,personalEmail.address`.
 */
import { badUserInput } from '../errors';

const PATH_SEGMENT = /^[A-Za-z_@$][A-Za-z0-9_@$-]*$/;

/**
 * Validates and normalises a `fields` list (spaces around commas dropped,
 * repeats removed). Empty or omitted means every field: null.
 */
export function normalizeFieldPaths(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const paths = value.split(',').map((path) => path.trim());
  for (const path of paths) {
    const valid = path !== '' && path.split('.').every((segment) => PATH_SEGMENT.test(segment));
    if (!valid) {
      throw badUserInput(
        field,
        `\`${field}\` has a malformed path ${JSON.stringify(path)}: expected dot-separated names such as personalEmail.address`,
      );
    }
  }
  return [...new Set(paths)].join(',');
}
