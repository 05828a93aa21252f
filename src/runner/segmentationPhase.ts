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
import { EvaluationLeaseLost, evaluateUnderLease } from './evaluateUnderLease';
import { renewLease } from './sql/renewLease';
import type { RunEnvironment } from './runExportJob';
import { describeError } from '../logger';
import { lightStatementSizer } from './chunkSizer';
import { planExport, type ExportPlan } from './exportPlan';
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

/** Why an evaluation stopped between two chunks. */
class Interrupted extends Error {
  constructor(readonly outcome: SegmentationOutcome) {
    super(outcome.kind);
  }
}

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
  countSegmentationTotal(env, job, byId.size, () => phaseOver || env.stopping());
  try {
    for (const definition of byId.values()) {
      let waitEnded: SegmentationOutcome | undefined;
      const evaluated = await evaluateUnderLease(env, {
        tenant,
        definition,
        holder: `export-job:${job.id}`,
        now: evaluatedAt,
        onChunk: async (chunk) => {
          segmented += chunk.profiles;
          env.metrics?.profilesSegmented.inc(chunk.profiles);
          const status = await recordSegmentedProfiles(db, job.id, runnerId, segmented, options.leaseMs);
          if (status === null) throw new Interrupted({ kind: 'lost' });
          if (status === 'CANCELLING') throw new Interrupted({ kind: 'cancelled' });
          if (env.stopping()) throw new Interrupted({ kind: 'stopping' });
        },
        // While another evaluation holds the segment: the job may be cancelled, or the runner stop.
        interrupted: async () => {
          const status = await renewLease(db, job.id, runnerId, options.leaseMs);
          if (status === null) waitEnded = { kind: 'lost' };
          else if (status === 'CANCELLING') waitEnded = { kind: 'cancelled' };
          else if (env.stopping()) waitEnded = { kind: 'stopping' };
          return waitEnded !== undefined;
        },
      });
      if (evaluated === null) return waitEnded!;
    }
  } catch (error: unknown) {
    if (error instanceof Interrupted) return error.outcome;
    if (error instanceof EvaluationLeaseLost) return { kind: 'lost' };
    throw error;
  } finally {
    phaseOver = true;
  }
  return (await finishSegmentation(db, job.id, runnerId, segmented)) ? { kind: 'done' } : { kind: 'lost' };
}

/**
 * Counts the tenant's profiles beside the evaluation, in short slices as the
 * export counts its own (so PGlite's one connection is never held for long),
 * and records the phase's total: the profiles times the segments, what
 * `progress.percent` measures the evaluation against. Not awaited: until the
 * count is in, the phase shows 0 %; a count that fails only leaves it so.
 */
function countSegmentationTotal(env: RunEnvironment, job: ExportJobRow, segments: number, over: () => boolean): void {
  const everyProfile: ExportPlan = { ...planExport(job), segments: null, emptyProfiles: true, updatedAfter: null, events: null };
  const slices = lightStatementSizer(env.options, env.options.chunkTargetMs / 2);
  countExportProfiles(env.db, everyProfile, slices, over)
    .then(async (profiles) => {
      if (profiles !== undefined && !over()) await recordSegmentationTotal(env.db, job.id, env.runnerId, profiles * segments);
    })
    .catch((error: unknown) =>
      env.logger.error('Counting the profiles to evaluate failed', { jobId: job.id, error: describeError(error) }),
    );
}
