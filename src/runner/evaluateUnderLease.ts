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

/** Another evaluation took the segment over: this one's holder stalled past its lease. */
export class EvaluationLeaseLost extends Error {
  constructor(segmentId: string) {
    super(`The evaluation lease of segment ${segmentId} was taken over`);
  }
}

export interface SegmentEvaluationRun {
  tenant: Tenant;
  definition: SegmentDefinitionRow;
  /** The evaluating job, the same for each of its runs (`export-job:42`, `segment-job:<uuid>`). */
  holder: string;
  now: Date;
  /** After each chunk, once the lease is renewed; a throw ends the evaluation there. */
  onChunk(chunk: ChunkResult, totals: MembershipCounts): Promise<void>;
  /** Asked while another evaluation holds the segment: true stops waiting. */
  interrupted(): Promise<boolean>;
}

/**
 * Waits for the segment's lease, evaluates, and gives the lease back. Null when
 * `interrupted` ended the wait; throws EvaluationLeaseLost when the lease was
 * taken over mid-way.
 */
export async function evaluateUnderLease(env: RunEnvironment, run: SegmentEvaluationRun): Promise<MembershipCounts | null> {
  const { db, options } = env;
  const lease: EvaluationLease = { tenant: run.tenant, segmentId: run.definition.id, holder: run.holder, leaseMs: options.leaseMs };
  if (!(await waitForEvaluationLease(db, lease, run.interrupted))) return null;
  try {
    return await inSpan('segment evaluation', { attributes: { 'segment.id': run.definition.id } }, () =>
      evaluateSegment(db, {
        tenant: run.tenant,
        segmentId: run.definition.id,
        segmentNs: run.definition.segmentNs,
        expression: run.definition.expressionValue,
        now: run.now,
        onChunk: async (chunk, totals) => {
          if (!(await renewEvaluationLease(db, lease))) throw new EvaluationLeaseLost(run.definition.id);
          await run.onChunk(chunk, totals);
        },
      }),
    );
  } finally {
    await releaseEvaluationLease(db, lease);
  }
}
