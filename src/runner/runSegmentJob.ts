/**
 * One run of a segment job (`evaluateSegments`): every segment of it evaluated
 * from its definition at one time T, chunk by chunk, then SUCCEEDED with the
 * counts — or FAILED (a definition deleted since the job was created, an
 * error), or handed back when the runner stops or the database fails for a
 * while. A run after a crash evaluates again from the first profile at the same
 * T, which ends in the same memberships and counts (evaluateSegment.ts).
 */
import type { SegmentJobRow } from '../db/schema';
import { isTransientDatabaseError } from '../db/postgresErrors';
import { describeError } from '../logger';
import { definitionsOfSegments } from '../segments/definitions/findSegmentDefinition';
import { DEFAULT_SEGMENT_NS } from '../segments/definitions/segmentDefinitionId';
import type { MembershipCounts } from '../segments/evaluation/evaluateSegmentChunk';
import { evaluateUnderLease } from './evaluateUnderLease';
import { handBackAfterError } from './handBackAfterError';
import { ExportErrorCode } from './exportErrorCode';
import { startHeartbeat } from './heartbeat';
import type { RunEnvironment, RunOutcome } from './runExportJob';
import {
  endSegmentJob,
  handBackSegmentJobAfterError,
  recordSegmentJobCounts,
  releaseSegmentJob,
  renewSegmentJobLease,
  startSegmentJob,
} from './sql/segmentJobRun';

export async function runSegmentJob(env: RunEnvironment, claimed: SegmentJobRow): Promise<RunOutcome> {
  const { db, runnerId, options, metrics } = env;
  const fail = async (code: string, msg: string): Promise<RunOutcome> =>
    (await endSegmentJob(db, claimed.id, runnerId, { status: 'FAILED', errors: [{ code, msg, callStack: null }] }))
      ? 'failed'
      : 'lost';
  if (claimed.attempts > options.maxAttempts) {
    env.logger.error('Segment job given up', { segmentJobId: claimed.id, attempts: claimed.attempts - 1 });
    return fail(
      ExportErrorCode.EVALUATION_ATTEMPTS_EXHAUSTED,
      `The evaluation was interrupted ${claimed.attempts - 1} times and has been given up`,
    );
  }
  const tenant = { orgId: claimed.orgId, sandboxName: claimed.sandboxName };
  const segments = claimed.segmentIds.map((segmentId) => ({ segmentId, segmentNs: DEFAULT_SEGMENT_NS }));
  const definitions = await definitionsOfSegments(db, tenant, segments);
  const deleted = claimed.segmentIds.filter((_, i) => !definitions[i]);
  if (deleted.length > 0) {
    return fail(ExportErrorCode.SEGMENT_NOT_DEFINED, `No segment definition ${deleted.join(', ')} (deleted since the job was created)`);
  }

  let leaseLost = false;
  // A chunk is short (about 50 ms), but the database may be slow: the lease must outlive one.
  const heartbeat = startHeartbeat({
    intervalMs: options.leaseMs / 3,
    renew: async () => {
      const renewed = await renewSegmentJobLease(db, claimed.id, runnerId, options.leaseMs);
      if (renewed) metrics?.leaseRenewals.inc();
      return renewed;
    },
    onLost: () => (leaseLost = true),
    onError: (error) => env.logger.error('Lease renewal failed', { segmentJobId: claimed.id, error: describeError(error) }),
  });
  try {
    const evaluatedAt = await startSegmentJob(db, claimed.id, runnerId);
    if (!evaluatedAt) return 'lost';
    const totals = { realized: 0, existing: 0, exited: 0 };
    /** Why the run must stop now: the job's lease lost, the runner stopping. */
    const stopReason = (): 'lost' | 'stopping' | undefined => (leaseLost ? 'lost' : env.stopping() ? 'stopping' : undefined);
    for (const definition of definitions) {
      const before = { ...totals };
      const evaluated = await evaluateUnderLease(env, {
        tenant,
        definition: definition!,
        holder: `segment-job:${claimed.id}`,
        now: evaluatedAt,
        afterChunk: async (chunk, segmentTotals: MembershipCounts) => {
          metrics?.profilesSegmented.inc(chunk.profiles);
          totals.realized = before.realized + segmentTotals.realized;
          totals.existing = before.existing + segmentTotals.existing;
          totals.exited = before.exited + segmentTotals.exited;
          if (leaseLost || !(await recordSegmentJobCounts(db, claimed.id, runnerId, totals, options.leaseMs))) return 'lost';
          return stopReason();
        },
        // While another evaluation holds the segment (the heartbeat keeps the job's lease).
        whileWaiting: async () => stopReason(),
      });
      if (evaluated.kind === 'lease lost' || (evaluated.kind === 'stopped' && evaluated.reason === 'lost')) return 'lost';
      if (evaluated.kind === 'stopped') {
        await releaseSegmentJob(db, claimed.id, runnerId);
        return 'released';
      }
    }
    return (await endSegmentJob(db, claimed.id, runnerId, { status: 'SUCCEEDED', counts: totals })) ? 'succeeded' : 'lost';
  } catch (error: unknown) {
    if (isTransientDatabaseError(error)) {
      return await handBackAfterError(env, { segmentJobId: claimed.id, attempt: claimed.attempts }, error, (retryAfterMs) =>
        handBackSegmentJobAfterError(db, claimed.id, runnerId, retryAfterMs),
      );
    }
    env.logger.error('Segment job failed', { segmentJobId: claimed.id, error: describeError(error) });
    return fail(ExportErrorCode.EVALUATION_FAILED, 'The evaluation failed; memberships already moved stay as evaluated');
  } finally {
    await heartbeat.stop();
  }
}
