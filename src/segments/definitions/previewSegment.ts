/**
 * `previewSegment`: what an expression would select in the tenant's profile
 * store now, for someone writing one. Read-only. Both parts walk the tenant's
 * profiles in keyset slices, one short statement each (sized by time, like an
 * export's count): a preview of a large embedded store never holds PGlite's
 * only connection for long, and other requests' statements run between slices.
 * Between slices the walk stops when its time is up (LIMIT_PREVIEW_SECONDS) or
 * its client has gone: a preview of a huge store is the one request that could
 * otherwise hold a connection for minutes, for someone who no longer waits.
 */
import { sql, type SQL } from 'drizzle-orm';
import { ErrorCode, GatewayError } from '../../errors';
import { onlyRow } from '../../db/onlyRow';
import type { AppDatabase } from '../../db/database';
import { executionTimeOf } from '../../db/executionTime';
import { profiles } from '../../db/schema';
import { checkPageSize } from '../../pagination/pageRequest';
import { chunkSizer, type ChunkSizer, type ChunkSizerOptions } from '../../runner/chunkSizer';
import type { Tenant } from '../../tenant';
import { compileSegmentExpression } from './compileSegmentExpression';
import type { PreviewSlots } from './previewSlots';

/** What `SegmentPreview` resolves from: the compiled expression, read lazily. */
export interface SegmentPreviewSource {
  /** Matching and all profiles of the tenant, counted once however many fields ask. */
  counts(): Promise<{ matchingProfiles: number; totalProfiles: number }>;
  /** The first `first` (0 to 100, default 10) matching profile documents in profile-id order. */
  sample(first: number | null | undefined): Promise<Record<string, unknown>[]>;
}

export const DEFAULT_SAMPLE_SIZE = 10;

/** Slices of at most 20,000 profiles, each meant to take 50 ms: about what an export chunk holds the database. */
export const PREVIEW_SLICES: ChunkSizerOptions = { max: 20_000, targetMs: 50, initial: 1_000 };

/**
 * When a preview stops walking: past `limitSeconds` from its start, or once `abandoned`
 * aborts. It walks only in a slot of `slots` (its counts and its sample share one).
 */
export interface PreviewBounds {
  limitSeconds: number;
  abandoned: AbortSignal;
  slots: PreviewSlots;
}

/**
 * Compiles `expression` at the current time, or throws BAD_USER_INPUT naming
 * `expression` (with `line`/`column`/`token` or `unsupported`). A walk past its
 * `bounds` throws TIME_LIMIT_EXCEEDED or CLIENT_CLOSED_REQUEST. `slices` sizes
 * the statements (tests make them small).
 */
export function previewSegment(
  db: AppDatabase,
  tenant: Tenant,
  expression: string,
  bounds: PreviewBounds,
  slices: ChunkSizerOptions = PREVIEW_SLICES,
): SegmentPreviewSource {
  const { predicate } = compileSegmentExpression(expression, 'expression', { profile: sql.raw('p'), now: new Date() });
  // Both walks of a request share one time limit: it bounds the request, not each field.
  const deadline = performance.now() + bounds.limitSeconds * 1000;
  // One slot while any walk of this preview runs: its counts and its sample may walk together.
  let walking = 0;
  let release: (() => void) | undefined;
  const walk = async (visit: SliceVisitor) => {
    if (walking === 0) release = bounds.slots.take(tenant);
    walking += 1;
    try {
      await walkSlices(tenant, predicate, chunkSizer(slices), visit, () => stopIfPastBounds(bounds, deadline));
    } finally {
      walking -= 1;
      if (walking === 0) release?.();
    }
  };
  let counted: Promise<{ matchingProfiles: number; totalProfiles: number }> | undefined;
  return {
    counts: () =>
      (counted ??= (async () => {
        const counts = { matchingProfiles: 0, totalProfiles: 0 };
        await walk(async (slice) => {
          const result = await db.execute(sql`
            with ${slice}
            select count(*) filter (where matches)::int as matching, count(*)::int as total, max(profile_id) as last
            from slice`);
          const row = onlyRow(result, 'A preview statement');
          counts.matchingProfiles += Number(row.matching);
          counts.totalProfiles += Number(row.total);
          return { last: row.last as string | null, scanned: Number(row.total), done: false, result };
        });
        return counts;
      })()),
    sample: async (first) => {
      const limit = checkPageSize('first', first) ?? DEFAULT_SAMPLE_SIZE;
      const documents: Record<string, unknown>[] = [];
      if (limit === 0) return documents;
      await walk(async (slice) => {
        // The document an export writes without `fields` (src/runner/sql/exportChunk.ts).
        const result = await db.execute(sql`
          with ${slice}
          select (select max(profile_id) from slice) as last, (select count(*)::int from slice) as scanned,
                 (select coalesce(jsonb_agg(document order by profile_id), '[]'::jsonb) from (
                   select profile_id, attributes || jsonb_build_object('profileId', profile_id, 'identities', identities) as document
                   from slice where matches order by profile_id limit ${limit - documents.length}
                 ) found) as documents`);
        const row = onlyRow(result, 'A preview statement');
        documents.push(...(row.documents as Record<string, unknown>[]));
        return {
          last: row.last as string | null,
          scanned: Number(row.scanned),
          done: documents.length >= limit,
          result,
        };
      });
      return documents;
    },
  };
}

/**
 * Reads one slice, given as the CTE `slice(profile_id, attributes, identities,
 * matches)`; answers the slice's last profile id, how many profiles it held,
 * whether the walk may stop early, and the statement's result (for its time).
 */
type SliceVisitor = (
  slice: SQL,
) => Promise<{ last: string | null; scanned: number; done: boolean; result: unknown[] }>;

async function walkSlices(
  tenant: Tenant,
  predicate: SQL,
  sizer: ChunkSizer,
  visit: SliceVisitor,
  checkBounds: () => void,
): Promise<void> {
  let after: string | null = null;
  for (;;) {
    checkBounds();
    const limit = sizer.size;
    // The compiled predicate reads the alias `p` (its event subqueries correlate on it).
    const slice = sql`slice as (
      select p.profile_id, p.attributes, p.identities, ${predicate} as matches
      from ${profiles} p
      where p.org_id = ${tenant.orgId} and p.sandbox_name = ${tenant.sandboxName}
        ${after === null ? sql`` : sql`and p.profile_id > ${after}`}
      order by p.profile_id
      limit ${limit})`;
    const startedAt = performance.now();
    const { last, scanned, done, result } = await visit(slice);
    // A slice short of its limit was the last one.
    if (done || last === null || scanned < limit) return;
    sizer.record(executionTimeOf(result, performance.now() - startedAt), false);
    after = last;
  }
}

function stopIfPastBounds({ limitSeconds, abandoned }: PreviewBounds, deadline: number): void {
  if (abandoned.aborted) {
    throw new GatewayError(ErrorCode.CLIENT_CLOSED_REQUEST, 'The client went away; the preview stopped');
  }
  if (performance.now() >= deadline) {
    throw new GatewayError(
      ErrorCode.TIME_LIMIT_EXCEEDED,
      `The preview took longer than ${limitSeconds} s (LIMIT_PREVIEW_SECONDS) and stopped: save the definition and evaluate it with evaluateSegments, which has no time limit`,
      { limitSeconds },
    );
  }
}
