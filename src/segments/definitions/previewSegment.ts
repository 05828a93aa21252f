/**
 * `previewSegment`: what an expression would select in the tenant's profile
 * store now, for someone writing one. Read-only; each part is one set-based
 * statement, run only when its fields are selected.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { profiles } from '../../db/schema';
import { checkPageSize } from '../../pagination/pageRequest';
import type { Tenant } from '../../tenant';
import { compileSegmentExpression } from './compileSegmentExpression';

/** What `SegmentPreview` resolves from: the compiled expression, read lazily. */
export interface SegmentPreviewSource {
  /** Matching and all profiles of the tenant, counted once however many fields ask. */
  counts(): Promise<{ matchingProfiles: number; totalProfiles: number }>;
  /** The first `first` (0 to 100, default 10) matching profile documents in profile-id order. */
  sample(first: number | null | undefined): Promise<Record<string, unknown>[]>;
}

export const DEFAULT_SAMPLE_SIZE = 10;

/**
 * Compiles `expression` at the current time, or throws BAD_USER_INPUT naming
 * `expression` (with `line`/`column`/`token` or `unsupported`).
 */
export function previewSegment(db: AppDatabase, tenant: Tenant, expression: string): SegmentPreviewSource {
  const { predicate } = compileSegmentExpression(expression, 'expression', { profile: sql.raw('p'), now: new Date() });
  // The compiled predicate reads the alias `p` (its event subqueries correlate on it).
  const ofTenant = sql`p.org_id = ${tenant.orgId} and p.sandbox_name = ${tenant.sandboxName}`;
  let counted: Promise<{ matchingProfiles: number; totalProfiles: number }> | undefined;
  return {
    counts: () => (counted ??= countProfiles(db, ofTenant, predicate)),
    sample: async (first) => {
      const limit = checkPageSize('first', first) ?? DEFAULT_SAMPLE_SIZE;
      if (limit === 0) return [];
      // The document an export writes without `fields` (src/runner/sql/exportChunk.ts).
      const rows = await db.execute(sql`
        select p.attributes || jsonb_build_object('profileId', p.profile_id, 'identities', p.identities) as document
        from ${profiles} p
        where ${ofTenant} and ${predicate}
        order by p.profile_id
        limit ${limit}`);
      return rows.map((row) => row.document as Record<string, unknown>);
    },
  };
}

// One pass over the tenant's profiles for both numbers; a preview of a large store
// costs one statement of that size (on PGlite it holds the database meanwhile).
async function countProfiles(
  db: AppDatabase,
  ofTenant: SQL,
  predicate: SQL,
): Promise<{ matchingProfiles: number; totalProfiles: number }> {
  const [row] = await db.execute(sql`
    select (count(*) filter (where ${predicate}))::int as matching, count(*)::int as total
    from ${profiles} p
    where ${ofTenant}`);
  return { matchingProfiles: Number(row?.matching ?? 0), totalProfiles: Number(row?.total ?? 0) };
}
