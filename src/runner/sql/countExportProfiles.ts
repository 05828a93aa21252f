import { sql } from 'drizzle-orm';
import { executionTimeOf } from '../../db/executionTime';
import type { AppDatabase } from '../../db/database';
import type { ChunkSizer } from '../chunkSizer';
import type { ExportPlan } from '../exportPlan';
import { chunkSource } from './chunkSource';

type SliceCount = { matched: number | string; last: string | null; reached_end: boolean };

/**
 * How many profiles the export will write (each once, whatever number of
 * batches it lands in). It walks the same slices as the chunks, one short
 * statement each, so it never holds PGlite's only connection for long and
 * keeps to one core on PostgreSQL, where it runs beside the chunks.
 * It reads indexes alone where the store is vacuumed: a segment's members from
 * `segment_memberships_members_idx`, each one's profile conditions from
 * `profiles_export_filter_idx` (migration 0028), never the documents, which made
 * the count of a segment's members about as slow as their export.
 * `stopped` ends it early (undefined is then the answer).
 */
export async function countExportProfiles(
  db: AppDatabase,
  plan: ExportPlan,
  sizer: ChunkSizer,
  stopped: () => boolean = () => false,
): Promise<number | undefined> {
  let total = 0;
  let after: string | null = null;
  for (;;) {
    if (stopped()) return undefined;
    const limit = sizer.size;
    const startedAt = performance.now();
    const result: SliceCount[] = await db.execute<SliceCount>(sql`
        with ${chunkSource(plan, { after, limit, documents: false })}
        select (select reached from slice_end) as reached_end,
               (select count(*) from chunk) as matched,
               (select max(profile_id) from chunk_ids) as last`);
    const [row] = result;
    const reachedEnd = row?.reached_end ?? true;
    sizer.record(executionTimeOf(result, performance.now() - startedAt), reachedEnd);
    total += Number(row?.matched ?? 0);
    if (reachedEnd || !row?.last) return total;
    after = row.last;
  }
}
