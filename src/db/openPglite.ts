import { mkdirSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { lockDataDir } from './dataDirLock';
import type { AppDatabase, CopySession, CopyStream, Database } from './database';
import { queryLogger, type DatabaseOptions } from './databaseOptions';
import { openPgliteThread, type ThreadQuerier } from './pgliteThread';
import { usageOf } from './poolLoad';
import * as schema from './schema';

// PGlite's COPY reads a whole blob from memory: lines are sent in pieces of about this size.
const COPY_PIECE_CHARS = 1024 * 1024;

/** The embedded PGlite, on its own thread, in `dataDir` (in memory when undefined), migrated. */
export async function openPglite(
  dataDir: string | undefined,
  options: DatabaseOptions,
  migrationsFolder: string,
): Promise<Database> {
  let unlock = () => {};
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    unlock = lockDataDir(dataDir);
  }
  let client;
  try {
    client = await openPgliteThread(dataDir, migrationsFolder, {
      ...(dataDir ? {} : { memoryTemplate: options.memoryTemplate }),
      sharedBuffersMb: options.pgliteSharedBuffersMb,
    });
  } catch (error: unknown) {
    unlock();
    throw new Error(`Could not open and migrate the PGlite database${dataDir ? ` in ${dataDir}` : ''}`, { cause: error });
  }
  const thread = client;
  // drizzle's PGlite driver calls only `query` and `transaction`, which the thread's client has.
  const db = drizzle({ client: thread as unknown as PGlite, schema, logger: queryLogger(options.onQuery) });
  return {
    db: db as unknown as AppDatabase,
    description: dataDir ? `PGlite in ${dataDir}` : 'PGlite in memory',
    boundedPool: async () => db as unknown as AppDatabase,
    nodePostgresPool: null,
    withCopySession: (work) => thread.transaction((tx) => work(copySession(tx))),
    // Within the process: no connection to lose, so never a gap to report (`onRelisten`).
    listen: (channel, onMessage) => thread.listen(channel, onMessage),
    // One connection: the statement it runs is in use, those queued behind it wait.
    poolUsage: () => [usageOf('embedded', 1, thread.pendingRequests())],
    failure: () => thread.failure() ?? null,
    close: async () => {
      await thread.close();
      unlock();
    },
  };
}

function copySession(tx: ThreadQuerier): CopySession {
  return {
    query: async <Row>(text: string, params: readonly (string | number)[] = []) =>
      (await tx.query(text, [...params])) as unknown as Row[],
    copyFrom: async (table): Promise<CopyStream> => {
      let piece = '';
      const flush = async () => {
        if (piece === '') return;
        const lines = piece;
        piece = '';
        await tx.copyFrom(table, lines);
      };
      return {
        write: async (line) => {
          piece += line;
          if (piece.length >= COPY_PIECE_CHARS) await flush();
        },
        end: flush,
        abort: async () => {
          piece = '';
        },
      };
    },
  };
}
