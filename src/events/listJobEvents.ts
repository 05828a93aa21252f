/** `jobEvents`: the stored events of the tenant's jobs, oldest first, a page at a time. */
import type { AppDatabase } from '../db/database';
import { notFound } from '../errors';
import { findExportJob } from '../jobs/findExportJob';
import type { Page } from '../pagination/connection';
import { keyCursorEncoder } from '../pagination/cursor';
import { keyPageFromRows, parseKeyPageArgs, type KeyPageArgs } from '../pagination/keyPage';
import type { Tenant } from '../tenant';
import { jobsOfEvents, readStoredEvents, watchedEventOf } from './storedJobEvents';
import type { WatchedJobEvent } from './watchedJobEvent';

export async function listJobEvents(
  db: AppDatabase,
  tenant: Tenant,
  args: KeyPageArgs & { jobId?: string | null },
): Promise<Page<WatchedJobEvent>> {
  const request = parseKeyPageArgs('event', tenant, args);
  let jobId: number | undefined;
  if (args.jobId != null) {
    const job = await findExportJob(db, tenant, args.jobId);
    if (!job) throw notFound(`Export job ${JSON.stringify(args.jobId)} does not exist`);
    jobId = job.id;
  }
  const rows = await readStoredEvents(db, {
    tenant,
    jobId,
    afterId: request.after === null ? null : Number(request.after),
    limit: request.limit + 1,
  });
  const jobs = await jobsOfEvents(db, tenant, rows);
  const cursorOf = keyCursorEncoder('event', tenant);
  // A job is never deleted, so every event has its job; the filter only keeps the types honest.
  const events = rows.flatMap((row) => {
    const job = jobs.get(row.jobId);
    return job ? [watchedEventOf(row, job)] : [];
  });
  return keyPageFromRows(events, request, (event) => ({ cursor: cursorOf(String(event.id)), node: event }));
}
