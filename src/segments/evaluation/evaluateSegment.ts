/**
 * A segment's whole evaluation: its expression compiled once at the
 * evaluation time, then the tenant's profiles walked in chunks of the profile id,
 * one statement each (`evaluateSegmentChunk`), so no statement holds the database
 * for long: PGlite runs one statement at a time, and the API waits behind it.
 * The chunks are key ranges between bounds sampled at the start (`chunkBounds.ts`),
 * then keyset pages for what lies past the last bound.
 */
import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import type { Tenant } from '../../tenant';
import { DEFAULT_SEGMENT_NS } from '../definitions/segmentDefinitionId';
import { compileSegmentPredicate } from '../pql/compileSegmentPredicate';
import { chunkSizer, type ChunkSizer, type ChunkSizerOptions } from '../../runner/chunkSizer';
import { PostgresErrorCode, postgresErrorCode } from '../../db/postgresErrors';
import { sampleChunkBounds } from './chunkBounds';
import { evaluateSegmentChunk, type ChunkResult, type MembershipCounts } from './evaluateSegmentChunk';
import { exitMembersPastLastProfile } from './exitMembersPastLastProfile';

/**
 * Profiles of the first chunk. Measured (bench/segments.ts, 2 cores, PGlite):
 * chunks of 5,000 took p99 79 ms for an attribute expression but 192 ms for an
 * event count (a correlated subquery per profile); chunks of 2,000 keep the
 * event expression's statements under 100 ms, so an API request queued on
 * the PGlite thread never waits longer than that.
 */
export const DEFAULT_EVALUATION_CHUNK_SIZE = 2_000;

/**
 * Without a fixed `chunkSize`, chunks are sized by time from the first one on
 * (the export's `chunkSizer`): each should take about 50 ms, so a cheap
 * expression on a fast database takes bigger steps (each chunk has a fixed
 * cost) and an expensive one smaller.
 */
export const EVALUATION_CHUNKS: ChunkSizerOptions = { max: 50_000, targetMs: 50, initial: DEFAULT_EVALUATION_CHUNK_SIZE };

export interface EvaluateSegmentOptions {
  tenant: Tenant;
  segmentId: string;
  /** Default `ups`. */
  segmentNs?: string;
  /** The segment's PQL expression; a syntax error or unsupported PQL throws before anything is written. */
  expression: string;
  /** The evaluation time T: `now` in the expression, and the qualification time written. */
  now: Date;
  /** Profiles per chunk (one statement each), fixed. Default: sized by time (`sizing`). */
  chunkSize?: number;
  /** Without a fixed `chunkSize`, how chunks are sized by time: default EVALUATION_CHUNKS (tests make them small). */
  sizing?: ChunkSizerOptions;
  /**
   * Resume after this profile id (a chunk's `lastProfileId`); default: from the first
   * profile. Counts cover the chunks run: resumed after the last chunk, the members
   * past the last profile that it exited are counted again.
   */
  after?: string | null;
  /**
   * Key ranges evaluated at once, each a statement on a connection of its own
   * (PostgreSQL, where a statement uses one core); default 1. The keyset pages
   * past the last sampled bound always run one at a time.
   */
  rangesAtOnce?: number;
  /**
   * Checked before every chunk starts: once aborted, no further chunk starts, and the
   * promise rejects with its reason once the ranges already running are done.
   */
  signal?: AbortSignal;
  /**
   * Called after every chunk, in key order, with that chunk's result and the totals
   * so far, and awaited: the next chunk starts once it resolves; if it throws, none
   * does, and the promise rejects with its error once the ranges already running
   * (up to `rangesAtOnce` - 1, whose memberships are then written but not reported)
   * are done.
   */
  onChunk?: (chunk: ChunkResult, totals: MembershipCounts) => void | Promise<void>;
  /**
   * Told of a chunk the database ended for running out of statement time (the runner's
   * pool bounds every statement): nothing of it was written, and without a fixed
   * `chunkSize` it is tried again smaller, as an export's chunk is. With one, or at one
   * profile, the error is thrown. Awaited: no chunk is reported while retries go on, so
   * this is where a caller renews what it holds for the evaluation (its segment's lease);
   * if it throws, the evaluation rejects with its error once the ranges running are done.
   */
  onOutOfTime?: (profiles: number) => void | Promise<void>;
}

/**
 * Evaluates the segment over every profile of the tenant and moves its
 * memberships (see `evaluateSegmentChunk` for the rules); resolves to the
 * totals. Only this segment's memberships of this tenant are written. Each
 * chunk commits on its own: after a crash or a cancellation, the chunks done
 * stay done, and running the evaluation again at the same `now` (from the
 * start, or `after` the last chunk) ends in the same memberships as one
 * uninterrupted run.
 */
export async function evaluateSegment(db: AppDatabase, options: EvaluateSegmentOptions): Promise<MembershipCounts> {
  const fixed = options.chunkSize;
  if (fixed !== undefined && (!Number.isInteger(fixed) || fixed < 1)) {
    throw new RangeError(`chunkSize must be a positive integer (got ${fixed})`);
  }
  const rangesAtOnce = options.rangesAtOnce ?? 1;
  if (!Number.isInteger(rangesAtOnce) || rangesAtOnce < 1) {
    throw new RangeError(`rangesAtOnce must be a positive integer (got ${rangesAtOnce})`);
  }
  const sizer: ChunkSizer = fixed === undefined ? chunkSizer(options.sizing ?? EVALUATION_CHUNKS) : { size: fixed, record: () => {} };
  const { predicate } = compileSegmentPredicate(options.expression, { profile: sql.raw('p'), now: options.now });
  const evaluation = {
    tenant: options.tenant,
    segmentId: options.segmentId,
    segmentNs: options.segmentNs ?? DEFAULT_SEGMENT_NS,
    predicate,
    now: options.now,
  };
  const totals: MembershipCounts = { realized: 0, existing: 0, exited: 0, profiles: 0 };
  const report = async (chunk: ChunkResult) => {
    totals.realized += chunk.realized;
    totals.existing += chunk.existing;
    totals.exited += chunk.exited;
    totals.profiles += chunk.profiles;
    await options.onChunk?.(chunk, { ...totals });
  };
  let after = options.after ?? null;
  const bounds = await sampleChunkBounds(db, options.tenant, after);
  let nextBound = 0;
  // Key ranges of about the size the sizer asks, while the sample has bounds for one and
  // bounds as close as that; up to `rangesAtOnce` run at once, and each is reported (and
  // becomes the checkpoint) only once every range before it is: a resumed evaluation
  // re-runs the ranges after the last one reported, which gives the same memberships.
  const running: Array<{ chunk: Promise<ChunkResult>; asked: number; from: string | null; fromBound: number; startedAt: number }> = [];
  let rangesLeft = true;
  // A chunk the statement timeout ended is tried again smaller, unless its size is fixed or already one.
  const retriesSmaller = async (error: unknown, asked: number, startedAt: number): Promise<boolean> => {
    if (fixed !== undefined || asked <= 1 || postgresErrorCode(error) !== PostgresErrorCode.QUERY_CANCELED) return false;
    sizer.record(performance.now() - startedAt, false, asked);
    await options.onOutOfTime?.(asked);
    return true;
  };
  try {
    for (;;) {
      while (rangesLeft && running.length < rangesAtOnce) {
        options.signal?.throwIfAborted();
        const asked = sizer.size;
        const step = Math.round(asked / bounds.profilesPerId);
        const upTo = step < 1 ? undefined : bounds.ids[nextBound + step - 1];
        if (upTo === undefined) {
          rangesLeft = false;
          break;
        }
        const chunk = evaluateSegmentChunk(db, evaluation, { after, upTo });
        // Awaited in turn below; until then, a failure must not count as unhandled.
        chunk.catch(() => {});
        running.push({ chunk, asked, from: after, fromBound: nextBound, startedAt: performance.now() });
        nextBound += step;
        after = upTo;
      }
      const first = running.shift();
      if (first === undefined) break;
      let chunk: ChunkResult;
      try {
        chunk = await first.chunk;
      } catch (error: unknown) {
        if (!(await retriesSmaller(error, first.asked, first.startedAt))) throw error;
        // Nothing of this range was written. The ranges after it may have been: run again
        // at the same T, they give the same memberships. So the walk goes on from its start.
        await Promise.allSettled(running.map(({ chunk: later }) => later));
        running.length = 0;
        after = first.from;
        nextBound = first.fromBound;
        rangesLeft = true;
        continue;
      }
      // A range much smaller than asked (the sample's bounds are uneven) is mostly the
      // statement's fixed cost: learning a rate from it would shrink every chunk after it.
      if (chunk.profiles >= first.asked / 2) sizer.record(chunk.elapsedMs, false, chunk.profiles);
      await report(chunk);
    }
  } finally {
    // A range still running when the walk stops (an error, or onChunk ending it) is waited
    // for: its statement writes memberships, and the caller's lease must outlast it.
    await Promise.allSettled(running.map(({ chunk }) => chunk));
  }
  // Then keyset pages to the end (the tail past the last bound, profiles added since the
  // sample, or chunks smaller than a bound's share), one after another: a page's end is
  // known only once it has run.
  for (;;) {
    options.signal?.throwIfAborted();
    const limit = sizer.size;
    const startedAt = performance.now();
    let chunk: ChunkResult;
    try {
      chunk = await evaluateSegmentChunk(db, evaluation, { after, limit });
    } catch (error: unknown) {
      if (await retriesSmaller(error, limit, startedAt)) continue;
      throw error;
    }
    // A short page was the last chunk: no profile is left after it (an empty page is short too).
    const last = chunk.profiles < limit;
    sizer.record(chunk.elapsedMs, last, chunk.profiles);
    // A page's memberships end at its last profile: those past the last one are the last chunk's too.
    if (last) chunk = withTail(chunk, await exitMembersPastLastProfile(db, evaluation, chunk.lastProfileId ?? after));
    await report(chunk);
    if (last) return totals;
    after = chunk.lastProfileId;
  }
}

/** The last chunk, with the members past its last profile that exited. */
function withTail(page: ChunkResult, tail: { exited: number; written: number }): ChunkResult {
  return { ...page, exited: page.exited + tail.exited, written: page.written + tail.written };
}
