import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/createDb';
import { rowsOf } from '../../db/rows';
import type { ExportPlan } from '../exportPlan';
import { memberOfAny, profileQualifies } from './exportConditions';

/** How many profiles the export will write (each once, whatever number of batches it lands in). */
export async function countExportProfiles(db: AppDatabase, plan: ExportPlan): Promise<number> {
  const [row] = rowsOf<{ total: number | string }>(
    await db.execute(sql`
      select count(*) as total from profiles p
      where ${profileQualifies(plan)} and ${memberOfAny(plan, plan.segments)}`),
  );
  return Number(row?.total ?? 0);
}
