import { randomUUID } from 'node:crypto';

/** The namespace of every segment definition (and of the memberships its evaluation writes). */
export const DEFAULT_SEGMENT_NS = 'ups';

/** A new segment definition id: a lowercase UUID (v4). */
export function newSegmentDefinitionId(): string {
  return randomUUID();
}

/** A lowercase UUID: every segment definition id (and its cursor's id part). */
export const SEGMENT_DEFINITION_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Whether `id` could name a segment definition; anything else names none and
 * never reaches SQL. Compared exactly, as memberships and export filters compare
 * segment ids: an uppercase spelling names nothing.
 */
export function couldBeSegmentDefinitionId(id: string): boolean {
  return SEGMENT_DEFINITION_ID_PATTERN.test(id);
}
