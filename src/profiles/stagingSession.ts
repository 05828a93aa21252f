/**
 * One database transaction for an ingest, with a fast way to append profiles to
 * the staging table (COPY, which both databases take through `CopySession`).
 * Everything the session does commits together or not at all.
 */
import { copyLine } from '../db/copyLine';
import type { CopySession, Database } from '../db/database';
import type { StagedProfile } from './validateProfiles';

/** The staging table, created by `createStagingTable` inside the session's transaction. */
export const STAGING_TABLE = 'profile_ingest_staging';

export interface StagingSession {
  /** One statement with `$1`-style parameters; returns its rows. */
  query: CopySession['query'];
  /** Starts appending rows to `STAGING_TABLE`; nothing else may run on the session until `end` or `abort`. */
  openWriter(): Promise<StagingWriter>;
}

export interface StagingWriter {
  /** Resolves when the row may be followed by another (backpressure). */
  write(row: StagedProfile): Promise<void>;
  /** Flushes and finishes; the rows are then visible to `query`. */
  end(): Promise<void>;
  /** Gives up; the transaction is rolled back after. */
  abort(reason: Error): Promise<void>;
}

/** Runs `work` in one transaction: committed if it resolves, rolled back if it throws. */
export function withStagingSession<T>(database: Database, work: (session: StagingSession) => Promise<T>): Promise<T> {
  return database.withCopySession((session) =>
    work({
      query: session.query,
      openWriter: async () => {
        const copy = await session.copyFrom(STAGING_TABLE);
        return { write: (row) => copy.write(stagedLine(row)), end: copy.end, abort: copy.abort };
      },
    }),
  );
}

/** A staged profile as a line of COPY, in the staging table's column order. */
function stagedLine(row: StagedProfile): string {
  return copyLine([
    row.line,
    row.profileId,
    row.identities,
    row.attributes,
    row.updatedAt,
    row.hasProfileRecord,
    row.segments,
    row.events,
  ]);
}
