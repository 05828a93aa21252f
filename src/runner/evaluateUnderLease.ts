/**
 * One segment's evaluation in a run (an export's segmentation phase or a
 * segment job): under the segment's evaluation lease, so two evaluations of
 * one segment never interleave (evaluationLease.ts), in a span of its own.
 */
import type { SegmentDefinitionRow } from '../db/schema';
import { evaluateSegment } from '../segments/evaluation/evaluateSegment';
import type { ChunkResult, MembershipCounts } from '../segments/evaluation/evaluateSegmentChunk';
import {
  releaseEvaluationLease,
  renewEvaluationLease,
  waitForEvaluationLease,
  type EvaluationLease,
} from '../segments/evaluation/evaluationLease';
import type { Tenant } from '../tenant';
import { inSpan } from '../tracing/tracer';
import type { RunEnvironment } from './runExportJob';

export interface SegmentEvaluationRun<Stop> {
  tenant: Tenant;
  definition: SegmentDefinitionRow;
  /** The evaluating job, the same for each of its runs (`export-job:42`, `segment-job:<uuid>`). */
  holder: string;
  now: Date;
  /**
   * After each chunk, once the segment's lease is renewed: records the progress,
   * and says why the evaluation must stop there (the job lost, cancelled, the
   * runner stopping), or undefined to go on.
   */
  afterChunk(chunk: ChunkResult, totals: MembershipCounts): Promise<Stop | undefined>;
  /**
   * Asked before each try for the segment's lease (and so while another evaluation holds it):
   * why not to take it — the job lost or cancelled, the runner stopping — or undefined to go on.
   */
  whileWaiting(): Promise<Stop | undefined>;
}

export type EvaluationOutcome<Stop> =
  | { kind: 'evaluated'; counts: MembershipCounts }
  /** `afterChunk` or `whileWaiting` gave a reason: chunks done stay done. */
  | { kind: 'stopped'; reason: Stop }
  /** Another evaluation took the segment over: this one's holder stalled past its lease. */
  | { kind: 'lease lost' };

/** Thrown out of evaluateSegment's onChunk to end it between two chunks. */
class Stopped<Stop> extends Error {
  constructor(readonly outcome: EvaluationOutcome<Stop>) {
    super(outcome.kind);
  }
}

/** Waits for the segment's lease, evaluates, and gives the lease back; an error of the evaluation is thrown. */
export async function evaluateUnderLease<Stop>(env: RunEnvironment, run: SegmentEvaluationRun<Stop>): Promise<EvaluationOutcome<Stop>> {
  const { db, options } = env;
  const lease: EvaluationLease = {
    tenant: run.tenant,
    segmentId: run.definition.id,
    job: run.holder,
    run: env.runnerId,
    leaseMs: options.leaseMs,
  };
  let waitEnded: Stop | undefined;
  const acquired = await waitForEvaluationLease(db, lease, async () => {
    waitEnded = await run.whileWaiting();
    return waitEnded !== undefined;
  });
  if (!acquired) return { kind: 'stopped', reason: waitEnded! };
  try {
    const counts = await inSpan('segment evaluation', { attributes: { 'segment.id': run.definition.id } }, () =>
      evaluateSegment(db, {
        tenant: run.tenant,
        segmentId: run.definition.id,
        segmentNs: run.definition.segmentNs,
        expression: run.definition.expressionValue,
        now: run.now,
        rangesAtOnce: options.evaluationRangesAtOnce,
        // No chunk is reported while retries go on: the segment's lease is renewed here too.
        onOutOfTime: async (profiles) => {
          env.logger.info('Segment evaluation chunk ran out of time; retrying smaller', { segmentId: run.definition.id, profiles });
          if (!(await renewEvaluationLease(db, lease))) throw new Stopped<Stop>({ kind: 'lease lost' });
        },
        onChunk: async (chunk, totals) => {
          if (!(await renewEvaluationLease(db, lease))) throw new Stopped<Stop>({ kind: 'lease lost' });
          const reason = await run.afterChunk(chunk, totals);
          if (reason !== undefined) throw new Stopped<Stop>({ kind: 'stopped', reason });
        },
      }),
    );
    return { kind: 'evaluated', counts };
  } catch (error: unknown) {
    if (error instanceof Stopped) return error.outcome as EvaluationOutcome<Stop>;
    throw error;
  } finally {
    await releaseEvaluationLease(db, lease);
  }
}
