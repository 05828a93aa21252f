/**
 * `evaluateSegments`: a segment job in status NEW for the runners to claim,
 * naming definitions of the tenant, within the tenant's quota of queued jobs.
 */
import { randomUUID } from 'node:crypto';
import { and, count, eq } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { segmentJobs, type SegmentJobRow } from '../../db/schema';
import { ofTenant } from '../../db/tenantScope';
import { badUserInput, ErrorCode, GatewayError } from '../../errors';
import { lockTenantQuotas, type JobQuotas } from '../../jobs/jobQuotas';
import type { Tenant } from '../../tenant';
import { activeTraceParent } from '../../tracing/jobTraceParent';
import { findSegmentDefinitions } from '../definitions/findSegmentDefinition';

/** The most segments one job evaluates (as an export's filter). */
export const MAX_SEGMENTS_PER_JOB = 100;

export async function evaluateSegments(
  db: AppDatabase,
  tenant: Tenant,
  segmentIds: readonly string[],
  meta: { subject: string | null },
  quotas: Pick<JobQuotas, 'queuedJobs'>,
): Promise<SegmentJobRow> {
  if (segmentIds.length === 0 || segmentIds.length > MAX_SEGMENTS_PER_JOB) {
    throw badUserInput('segmentIds', `segmentIds takes 1 to ${MAX_SEGMENTS_PER_JOB} ids (got ${segmentIds.length})`);
  }
  const repeated = segmentIds.find((id, i) => segmentIds.indexOf(id) !== i);
  if (repeated !== undefined) throw badUserInput('segmentIds', `Segment ${JSON.stringify(repeated)} is named twice`);
  const definitions = await findSegmentDefinitions(db, tenant, segmentIds);
  const unknown = segmentIds.filter((_, i) => !definitions[i]);
  if (unknown.length > 0) {
    throw badUserInput('segmentIds', `No segment definition ${unknown.map((id) => JSON.stringify(id)).join(', ')}`);
  }
  return db.transaction(async (tx) => {
    // Creations of one tenant take turns (the export jobs' lock), so two cannot both take the last place.
    await lockTenantQuotas(tx, tenant);
    const [queued] = await tx
      .select({ n: count() })
      .from(segmentJobs)
      .where(and(ofTenant(segmentJobs, tenant), eq(segmentJobs.status, 'NEW')));
    if ((queued?.n ?? 0) >= quotas.queuedJobs) {
      const message = `The tenant has ${queued?.n ?? 0} segment jobs waiting as NEW; its limit is ${quotas.queuedJobs}`;
      throw new GatewayError(ErrorCode.LIMIT_EXCEEDED, message, {
        quota: 'queuedSegmentJobs',
      });
    }
    const [row] = await tx
      .insert(segmentJobs)
      .values({
        id: randomUUID(),
        ...tenant,
        segmentIds: [...segmentIds],
        createdBy: meta.subject,
        // The job's runs continue this request's trace.
        traceParent: activeTraceParent(),
      })
      .returning();
    return row!;
  });
}
