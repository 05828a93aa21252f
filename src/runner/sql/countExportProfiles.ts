import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/createDb';
import { rowsOf } from '../../db/rows';
import type { ExportPlan } from '../exportPlan';
import { memberOfAny, profileQualifies } from './exportConditions';

/**
 * How many profiles the export will write (each once, whatever number of
 * batches it lands in). It runs beside the export's chunks, so it keeps to one
 * core: a parallel plan would take the cores the chunks need.
 */
export async function countExportProfiles(db: AppDatabase, plan: ExportPlan): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local max_parallel_workers_per_gather = 0`);
    const [row] = rowsOf<{ total: number | string }>(
      await tx.execute(sql`
        select count(*) as total from profiles p
        where ${profileQualifies(plan)} and ${memberOfAny(plan, plan.segments)}`),
    );
    return Number(row?.total ?? 0);
  });
}
