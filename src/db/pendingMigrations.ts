/**
 * Whether the database has every migration of this build: the rows of
 * drizzle's migrations table against the entries of the journal that
 * drizzle-kit writes beside the migrations (drizzle/meta/_journal.json).
 * Both drivers' migrators keep the table in the same place.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { AppDatabase } from './database';

let journalEntries: number | undefined;

function migrationsOfThisBuild(migrationsFolder: string): number {
  journalEntries ??= (
    JSON.parse(readFileSync(join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as { entries: unknown[] }
  ).entries.length;
  return journalEntries;
}

/** Migrations of this build the database has not applied (0 when up to date); a query, so it also proves the database answers. */
export async function pendingMigrations(db: AppDatabase, migrationsFolder: string): Promise<number> {
  const [row] = await db.execute<{ applied: number }>(sql`select count(*)::int as applied from drizzle.__drizzle_migrations`);
  return Math.max(0, migrationsOfThisBuild(migrationsFolder) - Number(row?.applied ?? 0));
}
