/**
 * The segmentation phase of an export that asks for it
 * (`evaluationInfo.segmentation: true`): before any profile is exported, each
 * segment of its filter is evaluated from its definition, so the export reads
 * fresh memberships instead of stale ones. All of them at one time T, kept on
 * the job: a run that resumes after a crash evaluates again at the same T,
 * which ends in the same memberships (evaluateSegment.ts). A segment without a
 * definition fails the job before anything is written. Each segment is
 * evaluated under its evaluation lease: while another job evaluates it, this
 * one waits (evaluationLease.ts).
 */
import type { ExportJobRow } from '../db/schema';
import { definitionsOfSegments } from '../segments/definitions/findSegmentDefinition';
import { evaluateUnderLease } from './evaluateUnderLease';
import { renewLease } from './sql/renewLease';
import type { RunEnvironment } from './runExportJob';
import { describeError } from '../logger';
import { lightStatementSizer } from './chunkSizer';
import { planEveryProfile } from './exportPlan';
import { countExportProfiles } from './sql/countExportProfiles';
import { finishSegmentation, recordSegmentationTotal, recordSegmentedProfiles, startSegmentation } from './sql/segmentationProgress';

export type SegmentationOutcome =
  | { kind: 'done' }
  /** Segments of the filter that no definition of the tenant describes. */
  | { kind: 'undefined'; segmentIds: string[] }
  | { kind: 'cancelled' }
  /** The runner is stopping: the job is handed back, and its next run starts the phase again at the same T. */
  | { kind: 'stopping' }
  | { kind: 'lost' };

export async function runSegmentationPhase(env: RunEnvironment, job: ExportJobRow): Promise<SegmentationOutcome> {
  if (!job.evaluateSegments || job.segmentationFinishedAt) return { kind: 'done' };
  const { db, runnerId, options } = env;
  const tenant = { orgId: job.orgId, sandboxName: job.sandboxName };
  const segments = job.filter.segments ?? [];
  const definitions = await definitionsOfSegments(db, tenant, segments);
  const undefinedIds = segments.filter((_, i) => !definitions[i]).map((segment) => segment.segmentId);
  if (undefinedIds.length > 0) return { kind: 'undefined', segmentIds: [...new Set(undefinedIds)] };
  const byId = new Map(definitions.map((definition) => [definition!.id, definition!]));

  const evaluatedAt = await startSegmentation(db, job.id, runnerId);
  if (!evaluatedAt) return { kind: 'lost' };
  let segmented = 0;
  let phaseOver = false;
  const counting = countSegmentationTotal(env, job, byId.size, () => phaseOver || env.stopping());
  /** Why the phase must stop now: the job lost or cancelled (from its status), the runner stopping. */
  const stopReason = (status: string | null): SegmentationOutcome | undefined =>
    status === null ? { kind: 'lost' } : status === 'CANCELLING' ? { kind: 'cancelled' } : env.stopping() ? { kind: 'stopping' } : undefined;
  try {
    for (const definition of byId.values()) {
      const evaluated = await evaluateUnderLease<SegmentationOutcome>(env, {
        tenant,
        definition,
        holder: `export-job:${job.id}`,
        now: evaluatedAt,
        afterChunk: async (chunk) => {
          segmented += chunk.profiles;
          env.metrics?.profilesSegmented.inc(chunk.profiles);
          return stopReason(await recordSegmentedProfiles(db, job.id, runnerId, segmented, options.leaseMs));
        },
        // While another evaluation holds the segment: the job may be cancelled, or the runner stop.
        whileWaiting: async () => stopReason(await renewLease(db, job.id, runnerId, options.leaseMs)),
      });
      if (evaluated.kind === 'stopped') return evaluated.reason;
      if (evaluated.kind === 'lease lost') return { kind: 'lost' };
    }
  } finally {
    phaseOver = true;
    await counting;
  }
  return (await finishSegmentation(db, job.id, runnerId, segmented)) ? { kind: 'done' } : { kind: 'lost' };
}

/**
 * Counts the tenant's profiles beside the evaluation, in short slices as the
 * export counts its own (so PGlite's one connection is never held for long),
 * and records the phase's total: the profiles times the segments, what
 * `progress.percent` measures the evaluation against. The evaluation does not wait
 * for it: until the count is in, the phase shows 0 %; a count that fails only leaves
 * it so. The phase waits for it as it ends (`over` stops it at its next slice), so
 * none of it runs after the run, on a database a stopping runner closes.
 */
function countSegmentationTotal(env: RunEnvironment, job: ExportJobRow, segments: number, over: () => boolean): Promise<void> {
  const slices = lightStatementSizer(env.options, env.options.chunkTargetMs / 2);
  return countExportProfiles(env.db, planEveryProfile(job), slices, over)
    .then(async (profiles) => {
      if (profiles !== undefined && !over()) await recordSegmentationTotal(env.db, job.id, env.runnerId, profiles * segments);
    })
    .catch((error: unknown) =>
      env.logger.error('Counting the profiles to evaluate failed', { jobId: job.id, error: describeError(error) }),
    );
}
