import { and, count, sql } from 'drizzle-orm';
import { exportJobs, type ExportJobRow } from '../db/schema';
import type { AppDatabase } from '../db/database';
import { statementCache } from '../db/statementCache';
import { jobsOfTenant } from '../db/tenantScope';
import { cursorEncoder } from '../pagination/cursor';
import type { Connection } from '../pagination/connection';
import {
  keysetClauses,
  keysetValues,
  pageFromRows,
  pageShapeKey,
  pageShapeOf,
  type PageShape,
} from '../pagination/keyset';
import { parsePageArgs, type PageArgs } from '../pagination/pageRequest';
import type { Tenant } from '../tenant';
import type { ExportJobStatus } from './exportJobStatus';

export interface ListExportJobsArgs extends PageArgs {
  /** Keep jobs in one of these statuses; empty or omitted keeps all. */
  status?: ExportJobStatus[] | null;
}

/** One page of the tenant's jobs, newest first: one statement, plus one more if the total is asked for. */
export async function listExportJobs(
  db: AppDatabase,
  tenant: Tenant,
  args: ListExportJobsArgs,
): Promise<Connection<ExportJobRow>> {
  const request = parsePageArgs('job', tenant, args);
  const statuses = args.status?.length ? args.status : null;
  const byStatus = statuses !== null;
  const values = { ...tenant, statuses, ...keysetValues(request) };
  const rows = await pageStatement(db, { ...pageShapeOf(request), byStatus }).execute(values);
  const encode = cursorEncoder('job', tenant);
  const page = pageFromRows(rows, request, (row) => encode({ time: row.creationTime, id: String(row.id) }));
  return {
    ...page,
    countTotal: async () => {
      const [result] = await countStatement(db, byStatus).execute(values);
      return result?.total ?? 0;
    },
  };
}

/** The tenant's jobs, and with `byStatus` only those whose status is in the `statuses` placeholder. */
function jobFilter(byStatus: boolean) {
  return and(jobsOfTenant(), byStatus ? sql`${exportJobs.status} = any(${sql.placeholder('statuses')})` : undefined);
}

const pageStatement = statementCache(
  (shape: PageShape & { byStatus: boolean }) => pageShapeKey(shape) + (shape.byStatus ? '_by_status' : ''),
  (db, shape) => {
    const keyset = keysetClauses({ time: exportJobs.creationTime, id: exportJobs.id, idType: 'bigint' }, shape);
    return db
      .select()
      .from(exportJobs)
      .where(and(jobFilter(shape.byStatus), ...keyset.conditions))
      .orderBy(...keyset.orderBy)
      .limit(sql.placeholder('limit'))
      .prepare(`export_jobs_page_${pageShapeKey(shape)}${shape.byStatus ? '_by_status' : ''}`);
  },
);

const countStatement = statementCache(
  (byStatus: boolean) => String(byStatus),
  (db, byStatus) => db.select({ total: count() }).from(exportJobs).where(jobFilter(byStatus)).prepare(`export_jobs_count${byStatus ? '_by_status' : ''}`),
);
