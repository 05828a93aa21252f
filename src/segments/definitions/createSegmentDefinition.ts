/**
 * `createSegmentDefinition`: a new definition of the tenant, within the limit of
 * definitions a tenant may have.
 */
import { count } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { segmentDefinitions, type SegmentDefinitionRow } from '../../db/schema';
import { ofTenant } from '../../db/tenantScope';
import { ErrorCode, GatewayError } from '../../errors';
import type { Tenant } from '../../tenant';
import { newSegmentDefinitionId } from './segmentDefinitionId';
import { validateSegmentDefinitionInput, type SegmentDefinitionInput } from './validateSegmentDefinitionInput';
import { lockTenant } from '../../db/tenantLock';

/** The most segment definitions a tenant may have. */
export const MAX_SEGMENT_DEFINITIONS = 1_000;

/**
 * Validates `input` (its expression compiled) and stores it; LIMIT_EXCEEDED
 * (`quota: segmentDefinitions`) when the tenant already has `maxPerTenant`.
 */
export async function createSegmentDefinition(
  db: AppDatabase,
  tenant: Tenant,
  input: SegmentDefinitionInput,
  maxPerTenant = MAX_SEGMENT_DEFINITIONS,
): Promise<SegmentDefinitionRow> {
  const spec = validateSegmentDefinitionInput(input);
  return db.transaction(async (tx) => {
    // Creations of one tenant take turns, so two cannot both take the last place.
    await lockTenant(tx, DEFINITION_LOCK_SPACE, tenant);
    const [existing] = await tx
      .select({ n: count() })
      .from(segmentDefinitions)
      .where(ofTenant(segmentDefinitions, tenant));
    if ((existing?.n ?? 0) >= maxPerTenant) {
      throw new GatewayError(ErrorCode.LIMIT_EXCEEDED, `The tenant has ${maxPerTenant} segment definitions, its limit`, {
        quota: 'segmentDefinitions',
      });
    }
    const [row] = await tx
      .insert(segmentDefinitions)
      .values({ id: newSegmentDefinitionId(), ...tenant, ...spec })
      .returning();
    if (!row) throw new Error('Insert of a segment definition returned no row');
    return row;
  });
}

// Arbitrary constant: the advisory-lock space of definition creations (two-key form: space, tenant hash).
const DEFINITION_LOCK_SPACE = 727_005;
