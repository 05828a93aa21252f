import { and, eq, sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { inRequestedOrder } from '../../db/inRequestedOrder';
import { segmentDefinitions, type SegmentDefinitionRow } from '../../db/schema';
import { preparedStatement } from '../../db/statementCache';
import { ofTenant } from '../../db/tenantScope';
import type { Tenant } from '../../tenant';
import { couldBeSegmentDefinitionId } from './segmentDefinitionId';

/** The tenant's segment definition with this id, or null (another tenant's is null too). */
export async function findSegmentDefinition(
  db: AppDatabase,
  tenant: Tenant,
  id: string,
): Promise<SegmentDefinitionRow | null> {
  if (!couldBeSegmentDefinitionId(id)) return null;
  const [row] = await db
    .select()
    .from(segmentDefinitions)
    .where(and(ofTenant(segmentDefinitions, tenant), eq(segmentDefinitions.id, id)));
  return row ?? null;
}

/** The tenant's definitions with these ids in one statement, in the order of `ids` (null where absent). */
export async function findSegmentDefinitions(
  db: AppDatabase,
  tenant: Tenant,
  ids: readonly string[],
): Promise<(SegmentDefinitionRow | null)[]> {
  const possible = ids.filter(couldBeSegmentDefinitionId);
  const rows = possible.length ? await findMany(db).execute({ ...tenant, ids: possible }) : [];
  return inRequestedOrder(ids, rows, (row) => row.id);
}

/**
 * The tenant's definition of each of `segments` (an export's filter), in their
 * order, null where none: a filter segment names a definition by its id, with
 * the definition's namespace or with none. One statement, none if no id could
 * name a definition.
 */
export async function definitionsOfSegments(
  db: AppDatabase,
  tenant: Tenant,
  segments: readonly { segmentId: string; segmentNs: string | null }[],
): Promise<(SegmentDefinitionRow | null)[]> {
  const found = await findSegmentDefinitions(db, tenant, segments.map((segment) => segment.segmentId));
  return found.map((definition, i) =>
    definition && (segments[i]!.segmentNs ?? definition.segmentNs) === definition.segmentNs ? definition : null,
  );
}

// `= any($ids)`: one statement whatever the number of ids (as findDatasets).
const findMany = preparedStatement((db) =>
  db
    .select()
    .from(segmentDefinitions)
    .where(and(ofTenant(segmentDefinitions), sql`${segmentDefinitions.id} = any(${sql.placeholder('ids')})`))
    .prepare('find_segment_definitions'),
);
