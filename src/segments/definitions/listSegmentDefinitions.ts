import { and, count, sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { segmentDefinitions, type SegmentDefinitionRow } from '../../db/schema';
import { preparedStatement, statementCache } from '../../db/statementCache';
import { ofTenant } from '../../db/tenantScope';
import type { Connection } from '../../pagination/connection';
import { cursorEncoder } from '../../pagination/cursor';
import { keysetClauses, keysetValues, pageFromRows, pageShapeKey, pageShapeOf } from '../../pagination/keyset';
import { parsePageArgs, type PageArgs } from '../../pagination/pageRequest';
import type { Tenant } from '../../tenant';

/** One page of the tenant's segment definitions, newest first: one statement, plus one if the total is asked for. */
export async function listSegmentDefinitions(
  db: AppDatabase,
  tenant: Tenant,
  args: Pick<PageArgs, 'first' | 'after'>,
): Promise<Connection<SegmentDefinitionRow>> {
  const request = parsePageArgs('segmentDefinition', tenant, args);
  const rows = await pageStatement(db, pageShapeOf(request)).execute({ ...tenant, ...keysetValues(request) });
  const encode = cursorEncoder('segmentDefinition', tenant);
  const page = pageFromRows(rows, request, (row) => encode({ time: row.creationTime, id: row.id }));
  return {
    ...page,
    countTotal: async () => {
      const [result] = await countStatement(db).execute({ ...tenant });
      return result?.total ?? 0;
    },
  };
}

const pageStatement = statementCache(pageShapeKey, (db, shape) => {
  const keyset = keysetClauses(
    { time: segmentDefinitions.creationTime, id: segmentDefinitions.id, idType: 'text' },
    shape,
  );
  return db
    .select()
    .from(segmentDefinitions)
    .where(and(ofTenant(segmentDefinitions), ...keyset.conditions))
    .orderBy(...keyset.orderBy)
    .limit(sql.placeholder('limit'))
    .prepare(`segment_definitions_page_${pageShapeKey(shape)}`);
});

const countStatement = preparedStatement((db) =>
  db.select({ total: count() }).from(segmentDefinitions).where(ofTenant(segmentDefinitions)).prepare('segment_definitions_count'),
);
