import { IDENTITY_ID_PATTERN } from '../identityIdPattern';

/** Job ids are increasing integers that clients see as strings. */
export function parseJobId(id: string): number | null {
  return IDENTITY_ID_PATTERN.test(id) ? Number(id) : null;
}
