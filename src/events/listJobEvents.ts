/** `jobEvents`: the stored events of the tenant's jobs, oldest first, a page at a time. */
import type { AppDatabase } from '../db/database';
import type { ExportJobRow } from '../db/schema';
import { notFound } from '../errors';
import { findExportJob } from '../jobs/findExportJob';
import type { Page } from '../pagination/connection';
import { keyCursorEncoder } from '../pagination/cursor';
import { keyPageFromRows, parseKeyPageArgs, type KeyPageArgs } from '../pagination/keyPage';
import type { Tenant } from '../tenant';
import { readStoredEvents, watchedEventsOf } from './storedJobEvents';
import type { WatchedJobEvent } from './watchedJobEvent';

export async function listJobEvents(
  db: AppDatabase,
  tenant: Tenant,
  args: KeyPageArgs & { jobId?: string | null },
): Promise<Page<WatchedJobEvent>> {
  const request = parseKeyPageArgs('event', tenant, args);
  let job: ExportJobRow | undefined;
  if (args.jobId != null) {
    job = (await findExportJob(db, tenant, args.jobId)) ?? undefined;
    if (!job) throw notFound(`Export job ${JSON.stringify(args.jobId)} does not exist`);
  }
  const rows = await readStoredEvents(db, {
    tenant,
    jobId: job?.id,
    after: request.after === null ? null : { id: Number(request.after) },
    limit: request.limit + 1,
  });
  const events = await watchedEventsOf(db, tenant, rows, job);
  const cursorOf = keyCursorEncoder('event', tenant);
  return keyPageFromRows(events, request, (event) => ({ cursor: cursorOf(String(event.id)), node: event }));
}
