/**
 * The merge policy a job takes from its segments when it names none: that of
 * the segment definition of its first segment.
 */
import type { AppDatabase } from '../db/database';
import { badUserInput } from '../errors';
import { definitionsOfSegments } from '../segments/definitions/findSegmentDefinition';
import type { Tenant } from '../tenant';
import type { SegmentFilterSpec } from './exportJobSpec';

/**
 * The `mergePolicyId` of the definition of the first of `segments`, or null
 * when that segment has none (the job keeps the default). When the definitions
 * of `segments` disagree, BAD_USER_INPUT on `mergePolicy`: the client must
 * choose. One statement, none when no segment could name a definition.
 */
export async function mergePolicyOfSegments(
  db: AppDatabase,
  tenant: Tenant,
  segments: SegmentFilterSpec[],
): Promise<string | null> {
  const definitions = await definitionsOfSegments(db, tenant, segments);
  const policies = new Set(definitions.flatMap((definition) => (definition ? [definition.mergePolicyId] : [])));
  if (policies.size > 1) {
    throw badUserInput(
      'mergePolicy',
      `The segments of \`filter.segments\` are defined with different merge policies (${[...policies].join(', ')}): include \`mergePolicy\` when exporting several segments`,
    );
  }
  return definitions[0]?.mergePolicyId ?? null;
}
