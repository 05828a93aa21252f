/**
 * One database transaction for an ingest, with a fast way to append rows to
 * the staging table: COPY FROM STDIN on PostgreSQL, batched
 * `INSERT … SELECT FROM jsonb_to_recordset($1)` on PGlite (which cannot stream
 * COPY). Everything the session does commits together or not at all.
 *
 * This is the one file of the profile store that reaches past drizzle to the
 * driver's own client (`$client`): drizzle has no COPY.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { Sql } from 'postgres';
import type { Database } from '../db/createDb';
import type { StagedProfile } from './validateProfiles';

/** The staging table, created by `createStagingTable` inside the session's transaction. */
export const STAGING_TABLE = 'profile_ingest_staging';

export interface StagingSession {
  /** One statement with `$1`-style parameters; returns its rows. */
  query<Row>(text: string, params?: readonly (string | number)[]): Promise<Row[]>;
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

export interface StagingSessionOptions {
  /** Rows per INSERT on PGlite. Default 2,000. */
  pgliteBatchSize?: number;
}

/** Runs `work` in one transaction: committed if it resolves, rolled back if it throws. */
export async function withStagingSession<T>(
  database: Database,
  work: (session: StagingSession) => Promise<T>,
  options: StagingSessionOptions = {},
): Promise<T> {
  const client = (database.db as unknown as { $client: unknown }).$client;
  switch (database.driver) {
    case 'postgres':
      return withPostgresSession(client as Sql, work);
    case 'pglite':
      return (client as PGlite).transaction((tx) => work(pgliteSession(tx, options.pgliteBatchSize ?? 2_000)));
    default:
      throw new UnreachableDriverError(database.driver);
  }
}

class UnreachableDriverError extends Error {
  constructor(driver: never) {
    super(`Unknown database driver ${String(driver)}`);
  }
}

async function withPostgresSession<T>(sql: Sql, work: (session: StagingSession) => Promise<T>): Promise<T> {
  // One reserved connection: the temporary table, the COPY and the merge must share it.
  const connection = await sql.reserve();
  try {
    await connection.unsafe('begin');
    let result: T;
    try {
      result = await work({
        query: async <Row>(text: string, params: readonly (string | number)[] = []) =>
          (await connection.unsafe(text, params as (string | number)[])) as unknown as Row[],
        openWriter: async () => copyWriter(await connection.unsafe(`copy ${STAGING_TABLE} from stdin`).writable()),
      });
    } catch (error: unknown) {
      await connection.unsafe('rollback').catch(() => {
        // The connection may be gone with the error; PostgreSQL rolls back on disconnect anyway.
      });
      throw error;
    }
    await connection.unsafe('commit');
    return result;
  } finally {
    connection.release();
  }
}

// Rows are sent in chunks of about this many characters: one socket write each.
const COPY_CHUNK_CHARS = 256 * 1024;

/**
 * A manual write/drain loop instead of `stream.pipeline`: postgres.js' COPY
 * streams do not always emit `close` (porsager/postgres issue), which can hang a pipeline.
 */
function copyWriter(stream: Writable): StagingWriter {
  let failure: Error | undefined;
  const failed = new Promise<never>((_, reject) =>
    stream.once('error', (error: Error) => {
      failure = error;
      reject(new Error('COPY into the staging table failed', { cause: error }));
    }),
  );
  failed.catch(() => {}); // observed through `failure` and the awaits below
  let chunk = '';

  const flush = async () => {
    if (failure) throw new Error('COPY into the staging table failed', { cause: failure });
    const data = chunk;
    chunk = '';
    if (data !== '' && !stream.write(data)) await Promise.race([once(stream, 'drain'), failed]);
  };

  return {
    write: async (row) => {
      chunk += copyLine(row);
      if (chunk.length >= COPY_CHUNK_CHARS) await flush();
    },
    end: async () => {
      await flush();
      const finished = once(stream, 'finish');
      stream.end();
      await Promise.race([finished, failed]);
    },
    abort: async (reason) => {
      // CopyFail: PostgreSQL ends the COPY with an error and the transaction is rolled back after.
      if (!failure) stream.destroy(reason);
    },
  };
}

/** One row in COPY's text format: tab-separated, `\N` for null, backslash escapes. */
function copyLine(row: StagedProfile): string {
  return [
    String(row.line),
    copyText(row.profileId),
    copyText(row.identities),
    copyText(row.attributes),
    row.updatedAt,
    row.hasProfileRecord ? 't' : 'f',
    row.segments === null ? '\\N' : copyText(row.segments),
    row.events === null ? '\\N' : copyText(row.events),
  ].join('\t') + '\n';
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function copyText(value: string): string {
  return value.replace(/[\\\n\r\t]/g, (char) => COPY_ESCAPES[char]!);
}

function pgliteSession(tx: Transaction, batchSize: number): StagingSession {
  return {
    query: async <Row>(text: string, params: readonly (string | number)[] = []) =>
      (await tx.query<Row>(text, [...params])).rows,
    openWriter: async () => {
      let batch: string[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        const json = `[${batch.join(',')}]`;
        batch = [];
        await tx.query(INSERT_BATCH, [json]);
      };
      return {
        write: async (row) => {
          batch.push(recordJson(row));
          if (batch.length >= batchSize) await flush();
        },
        end: flush,
        abort: async () => {
          batch = [];
        },
      };
    },
  };
}

// JSON columns are embedded as JSON (not as strings) and turned back into text here.
const INSERT_BATCH = `
  insert into ${STAGING_TABLE}
  select r.line, r.profile_id, r.identities::text, r.attributes::text, r.updated_at, r.has_profile_record,
    r.segments::text, r.events::text
  from jsonb_to_recordset($1::jsonb) as r(line integer, profile_id text, identities jsonb, attributes jsonb,
    updated_at text, has_profile_record boolean, segments jsonb, events jsonb)`;

/** One record of `INSERT_BATCH`'s parameter; a null column is left out so it reads as SQL NULL. */
function recordJson(row: StagedProfile): string {
  return (
    `{"line":${row.line},"profile_id":${JSON.stringify(row.profileId)},"identities":${row.identities},` +
    `"attributes":${row.attributes},"updated_at":"${row.updatedAt}","has_profile_record":${row.hasProfileRecord}` +
    (row.segments === null ? '' : `,"segments":${row.segments}`) +
    (row.events === null ? '' : `,"events":${row.events}`) +
    '}'
  );
}
