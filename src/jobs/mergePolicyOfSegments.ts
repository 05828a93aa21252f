/**
 * The merge policy a job takes from its segments when it names none: that of
 * the segment definition of its first segment.
 */
import { and, inArray } from 'drizzle-orm';
import type { AppDatabase } from '../db/database';
import { segmentDefinitions } from '../db/schema';
import { ofTenant } from '../db/tenantScope';
import { badUserInput } from '../errors';
import type { Tenant } from '../tenant';
import type { SegmentFilterSpec } from './exportJobSpec';
import { couldBeSegmentDefinitionId } from '../segments/definitions/segmentDefinitionId';

/**
 * The `mergePolicyId` of the definition of the first of `segments`, or null
 * when that segment has none (the job keeps the default). A filter segment
 * names a definition by its id, with the definition's namespace or with none.
 * When the definitions of `segments` disagree, BAD_USER_INPUT on
 * `mergePolicy`: the client must choose. One statement.
 */
export async function mergePolicyOfSegments(
  db: AppDatabase,
  tenant: Tenant,
  segments: SegmentFilterSpec[],
): Promise<string | null> {
  // Only ids a definition could have are looked up; a job naming none costs no statement.
  const ids = segments.map((segment) => segment.segmentId).filter(couldBeSegmentDefinitionId);
  if (ids.length === 0) return null;
  const rows = await db
    .select({
      id: segmentDefinitions.id,
      segmentNs: segmentDefinitions.segmentNs,
      mergePolicyId: segmentDefinitions.mergePolicyId,
    })
    .from(segmentDefinitions)
    .where(and(ofTenant(segmentDefinitions, tenant), inArray(segmentDefinitions.id, ids)));
  const policyOf = (segment: SegmentFilterSpec) =>
    rows.find((row) => row.id === segment.segmentId && (segment.segmentNs ?? row.segmentNs) === row.segmentNs)
      ?.mergePolicyId;
  const policies = new Set(segments.map(policyOf).filter((policy) => policy !== undefined));
  if (policies.size > 1) {
    throw badUserInput(
      'mergePolicy',
      `The segments of \`filter.segments\` are defined with different merge policies (${[...policies].join(', ')}): include \`mergePolicy\` when exporting several segments`,
    );
  }
  return segments[0] ? (policyOf(segments[0]) ?? null) : null;
}
