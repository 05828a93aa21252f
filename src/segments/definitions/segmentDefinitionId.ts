import { randomUUID } from 'node:crypto';
import { LOWERCASE_UUID_PATTERN } from '../../uuidPattern';

/** The namespace of every segment definition (and of the memberships its evaluation writes). */
export const DEFAULT_SEGMENT_NS = 'ups';

/** A new segment definition id: a lowercase UUID (v4). */
export function newSegmentDefinitionId(): string {
  return randomUUID();
}

/**
 * Whether `id` could name a segment definition; anything else names none and
 * never reaches SQL. Compared exactly, as memberships and export filters compare
 * segment ids: an uppercase spelling names nothing.
 */
export function couldBeSegmentDefinitionId(id: string): boolean {
  return LOWERCASE_UUID_PATTERN.test(id);
}
