/**
 * Migration 0021: events stored before 0019 (no percent) get the percent their
 * job's figure gave then, so the code reads one figure and keeps no formula of
 * its own. The database is migrated to 0020, given such events, then migrated on.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../../src/db/createDb';
import type { Database } from '../../src/db/database';
import { openPglite } from '../../src/db/openPglite';
import { openPostgres } from '../../src/db/openPostgres';
import { postgresErrorCode } from '../../src/db/postgresErrors';
import { createPostgresDatabase } from '../helpers/databases';

/** The migrations up to and including `lastTag`, in a folder of their own. */
function migrationsUpTo(lastTag: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'migrations-'));
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, 'meta/_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const last = journal.entries.findIndex((entry) => entry.tag === lastTag);
  if (last < 0) throw new Error(`No migration ${lastTag}`);
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, last + 1) }));
  return folder;
}

const BEFORE = migrationsUpTo('0020_segment_evaluation_lease');
afterAll(() => rmSync(BEFORE, { recursive: true, force: true }));

interface Place {
  name: string;
  open(folder: string): Promise<Database>;
  remove(): Promise<void>;
}

async function pglitePlace(): Promise<Place> {
  const dataDir = mkdtempSync(join(tmpdir(), 'backfill-pglite-'));
  return {
    name: 'pglite',
    open: (folder) => openPglite(dataDir, { url: undefined, dataDir }, folder),
    remove: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

async function postgresPlace(): Promise<Place> {
  // Empty: the test migrates it itself, to 0020 first.
  const database = await createPostgresDatabase({ empty: true });
  return { name: 'postgres', open: (folder) => openPostgres(database.url, { url: database.url, dataDir: '' }, folder), remove: database.drop };
}

describe.each([{ name: 'pglite', place: pglitePlace }, { name: 'postgres', place: postgresPlace }])('migration 0021 on $name', ({ place }) => {
  it('gives events stored without a percent the export share of their job then, and makes the column required', async () => {
    const where = await place();
    try {
      const before = await where.open(BEFORE);
      const event = (sequence: number, status: string, processed: number, total: number | null) => sql`
        insert into export_job_events (org_id, sandbox_name, job_id, sequence, type, status, processed_profiles, total_profiles, percent, job)
        values ('BACKFILL@AdobeOrg', 'prod', 1, ${sequence}, 'PROGRESS', ${status}, ${processed}, ${total}, null, '{}'::jsonb)`;
      await before.db.execute(event(1, 'NEW', 0, null));
      await before.db.execute(event(2, 'PROCESSING', 1, 3));
      await before.db.execute(event(3, 'PROCESSING', 5, 4));
      await before.db.execute(event(4, 'SUCCEEDED', 2, 4));
      await before.close();

      const after = await where.open(MIGRATIONS_FOLDER);
      try {
        const rows = await after.db.execute<{ sequence: number; percent: number }>(
          sql`select sequence, percent from export_job_events where org_id = 'BACKFILL@AdobeOrg' order by sequence`,
        );
        expect(rows.map((row) => [Number(row.sequence), Number(row.percent)])).toEqual([
          [1, 0],
          [2, 33.3],
          [3, 100],
          [4, 100],
        ]);
        const refused = await after.db
          .execute(sql`insert into export_job_events (org_id, sandbox_name, job_id, sequence, type, status, processed_profiles, percent, job)
            values ('BACKFILL@AdobeOrg', 'prod', 1, 5, 'PROGRESS', 'PROCESSING', 0, null, '{}'::jsonb)`)
          .then(() => undefined, (error: unknown) => error);
        // not_null_violation, on the percent column: not any other failure of the insert.
        expect(postgresErrorCode(refused)).toBe('23502');
        expect((refused as Error).cause).toMatchObject({
          message: 'null value in column "percent" of relation "export_job_events" violates not-null constraint',
        });
      } finally {
        await after.close();
      }
    } finally {
      await where.remove();
    }
  });
});
