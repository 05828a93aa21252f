/**
 * File ingest of the profile store: NDJSON, one `ProfileInput` per line, all or
 * nothing. Lines are validated as they stream in and appended to a temporary
 * staging table (COPY, on either database); at the end one
 * set-based merge upserts them into `profiles`, `segment_memberships` and
 * `experience_events`, all inside one transaction. A bad line stops the ingest
 * and rolls everything back.
 *
 * A profileId given on two lines of one file is an error (like twice in one
 * `ingestProfiles` call), reported with both line numbers: a silent "last line
 * wins" would hide a file concatenated twice or two sources disagreeing.
 */
import { createReadStream } from 'node:fs';
import type { Database } from '../db/database';
import { coerceError } from '../coerceError';
import type { Tenant } from '../tenant';
import { analyzeAfterLoad } from './analyzeProfileStore';
import { createStagingTable, findRepeatedProfile, mergeStagedProfiles } from './mergeStagedProfiles';
import { parseProfileLine, ProfileLineError } from './parseProfileLine';
import type { ProfileDecoder } from './profileInput';
import { readLines, UnreadableLineError } from './readLines';
import { withStagingSession } from './stagingSession';

export { ProfileLineError } from './parseProfileLine';

export interface IngestProgress {
  /** `reading`: lines are validated and staged; `merging`: the staged profiles are written to the store. */
  phase: 'reading' | 'merging';
  /** Lines read so far (blank ones included). */
  lines: number;
  /** Bytes read so far. */
  bytesRead: number;
  /** Profiles staged so far. */
  profiles: number;
}

export interface IngestOptions {
  /** Reads a line's JSON as a profile: `profileInputDecoder()`, the API's own rules. */
  decodeProfile: ProfileDecoder;
  /** Called every few hundred lines and when the phase changes. */
  onProgress?: (progress: IngestProgress) => void;
}

export interface IngestSummary {
  /** Profiles upserted. */
  profiles: number;
  lines: number;
  bytesRead: number;
  /** Why the store could not be analyzed after the load, which stands; null when it was. */
  analyzeFailure: string | null;
}

// Often enough for a smooth progress bar, rarely enough to cost nothing.
const PROGRESS_EVERY_LINES = 256;

/**
 * Ingests the NDJSON `source` into `tenant`'s profile store, and leaves its
 * statistics fresh. Throws
 * `ProfileLineError` (line number and field) for the first bad line; nothing is
 * kept then. Blank lines are skipped.
 */
export async function ingestNdjson(
  database: Database,
  tenant: Tenant,
  source: AsyncIterable<Uint8Array | string>,
  options: IngestOptions,
): Promise<IngestSummary> {
  const report = options.onProgress ?? (() => {});
  const summary = await withStagingSession(
    database,
    async (session) => {
      await createStagingTable(session);
      const writer = await session.openWriter();
      const progress: IngestProgress = { phase: 'reading', lines: 0, bytesRead: 0, profiles: 0 };
      try {
        for await (const line of readLines(source)) {
          progress.lines = line.number;
          progress.bytesRead = line.bytesRead;
          if (line.number % PROGRESS_EVERY_LINES === 0) report({ ...progress });
          if (line.text.trim() === '') continue;
          await writer.write(parseProfileLine(line.text, line.number, options.decodeProfile));
          progress.profiles += 1;
        }
      } catch (error: unknown) {
        const failure = error instanceof UnreadableLineError ? new ProfileLineError(error.line, '', error.reason) : error;
        await writer.abort(coerceError(failure));
        throw failure;
      }
      await writer.end();
      report({ ...progress });

      const repeated = await findRepeatedProfile(session);
      if (repeated) {
        throw new ProfileLineError(
          repeated.line,
          'profileId',
          `profileId ${JSON.stringify(repeated.profileId)} is already given on line ${repeated.firstLine}`,
        );
      }
      report({ ...progress, phase: 'merging' });
      const profiles = await mergeStagedProfiles(session, tenant);
      return { profiles, lines: progress.lines, bytesRead: progress.bytesRead };
    },
  );
  return { ...summary, analyzeFailure: await analyzeAfterLoad(database.db) };
}

/** `ingestNdjson` over a file. */
export function ingestFile(database: Database, tenant: Tenant, path: string, options: IngestOptions) {
  // Large reads: fewer chunks to split and fewer round trips through the event loop.
  return ingestNdjson(database, tenant, createReadStream(path, { highWaterMark: 1024 * 1024 }), options);
}

