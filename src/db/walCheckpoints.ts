/**
 * Checkpoints for the embedded database. PostgreSQL's checkpointer process starts
 * one every few minutes or once `max_wal_size` of WAL is written; PGlite runs no
 * such process and, measured, never checkpoints while it is open, whatever its
 * settings: its `pg_wal` grew by every byte written (58 segment files, 928 MB,
 * after six `INSERT … SELECT`s of 200,000 records; in memory, that is memory), and
 * a crash would replay all of it at the next start.
 *
 * So the process that owns PGlite checks, every `intervalMs`, how much WAL was
 * written since the last checkpoint, and runs `CHECKPOINT` past `walBytes`: the
 * WAL stays within about that plus what one interval writes. A checkpoint writes
 * the dirty pages of the shared buffers and holds PGlite's one connection while it
 * does (about 150 ms after 147 MB of WAL here): small and often keeps an API
 * request's wait behind it short (bench:export's p99 during exports stayed under
 * 100 ms at 32 MB a second; at 128 MB every 5 s one export's reached 137 ms).
 */
import { sql } from 'drizzle-orm';
import type { Logger } from '../logger';
import type { AppDatabase, Database } from './database';
import { isEmbeddedDatabase } from './databaseOptions';
import { startPeriodic, type PeriodicWork } from './periodicWork';

export interface WalCheckpointOptions {
  /** How often the WAL written is looked at. */
  intervalMs: number;
  /** WAL written since the last checkpoint that calls for the next one. */
  walBytes: number;
}

export const WAL_CHECKPOINTS: WalCheckpointOptions = { intervalMs: 1_000, walBytes: 32 * 1024 * 1024 };

/**
 * For a process that opened the database `url` names (a server, `npm run worker`):
 * the checkpoints on PGlite; null on PostgreSQL, whose checkpointer is its own.
 */
export function checkpointsOf(url: string | undefined, database: Database, logger: Logger): PeriodicWork | null {
  return isEmbeddedDatabase(url) ? startWalCheckpoints(database.db, logger) : null;
}

export function startWalCheckpoints(db: AppDatabase, logger: Logger, options: WalCheckpointOptions = WAL_CHECKPOINTS): PeriodicWork {
  return startPeriodic({
    intervalMs: options.intervalMs,
    logger,
    failureMessage: 'Checkpoint of the embedded database failed',
    round: async () => {
      if ((await walSinceCheckpoint(db)) >= options.walBytes) await db.execute(sql`checkpoint`);
    },
  });
}

/** Bytes of WAL written since the last checkpoint began. */
export async function walSinceCheckpoint(db: AppDatabase): Promise<number> {
  const [row] = await db.execute<{ bytes: number | string }>(
    sql`select (pg_current_wal_lsn() - checkpoint_lsn)::float8 as bytes from pg_control_checkpoint()`,
  );
  return Number(row?.bytes ?? 0);
}
