import { and, count, inArray, type SQL } from 'drizzle-orm';
import type { AppDatabase } from '../db/createDb';
import { exportJobs, type ExportJobRow } from '../db/schema';
import { cursorEncoder } from '../pagination/cursor';
import type { Connection } from '../pagination/connection';
import { keysetQuery, pageFromRows } from '../pagination/keyset';
import { parsePageArgs, type PageArgs } from '../pagination/pageRequest';
import type { Tenant } from '../tenant';
import type { ExportJobStatus } from './exportJobStatus';
import { jobsOfTenant } from '../db/tenantScope';

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
  const filter: SQL[] = [jobsOfTenant(tenant)];
  if (args.status?.length) filter.push(inArray(exportJobs.status, args.status));
  const keyset = keysetQuery({ time: exportJobs.creationTime, id: exportJobs.id, idType: 'bigint' }, request);
  const rows = await db
    .select()
    .from(exportJobs)
    .where(and(...filter, ...keyset.conditions))
    .orderBy(...keyset.orderBy)
    .limit(keyset.limit);
  const encode = cursorEncoder('job', tenant);
  const page = pageFromRows(rows, request, (row) =>
    encode({ time: row.creationTime, id: String(row.id) }),
  );
  return {
    ...page,
    countTotal: async () => {
      const [result] = await db.select({ total: count() }).from(exportJobs).where(and(...filter));
      return result?.total ?? 0;
    },
  };
}
