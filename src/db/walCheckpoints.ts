/**
 * Checkpoints for the embedded database. PostgreSQL's checkpointer process starts
 * one every few minutes or once `max_wal_size` of WAL is written; PGlite runs no
 * such process and, measured, never checkpoints while it is open, whatever its
 * settings: its `pg_wal` grew by every byte written (58 segment files, 928 MB,
 * after six `INSERT … SELECT`s of 200,000 records; in memory, that is memory), and
 * a crash would replay all of it at the next start.
 *
 * So the process that opens PGlite takes them. A checkpoint writes the dirty pages
 * of the shared buffers while it holds PGlite's one connection, 150–300 ms here,
 * and every request waits behind it: taken every 32 MB during exports, such pauses
 * pushed `exportJob(id)`'s p99 past 200 ms. So one is taken once the WAL since the
 * last passes `walBytes` *and* the database is quiet (its connection in use in at
 * most `quietBusyShare` of the samples over `quietMs`: an export or a load of
 * requests keeps it busy, an idle runner's polls do not), or, whatever the load, once
 * the WAL passes `ceilingBytes`, which bounds the disk (or, in memory, the memory)
 * the WAL takes to about that.
 */
import { sql } from 'drizzle-orm';
import type { Logger } from '../logger';
import type { AppDatabase, Database } from './database';
import { isEmbeddedDatabase } from './databaseOptions';
import { startPeriodic, type PeriodicWork } from './periodicWork';

export interface WalCheckpointOptions {
  /** How often the WAL written is looked at. */
  intervalMs: number;
  /** WAL written since the last checkpoint that calls for the next one, once the database is quiet. */
  walBytes: number;
  /** WAL written since the last checkpoint that calls for the next one, quiet or not. */
  ceilingBytes: number;
  /** How long the database must have been quiet. */
  quietMs: number;
  /** How often the connection's use is sampled. */
  sampleMs: number;
  /** The share of samples over `quietMs` that may find the connection in use, for it to count as quiet. */
  quietBusyShare: number;
}

const MB = 1024 * 1024;

export const WAL_CHECKPOINTS: WalCheckpointOptions = {
  intervalMs: 1_000,
  walBytes: 32 * MB,
  ceilingBytes: 1024 * MB,
  quietMs: 3_000,
  sampleMs: 50,
  // An idle runner's polls kept PGlite's connection busy in about 7 % of the samples here
  // (before the claim's cheap first check; less since).
  quietBusyShare: 0.25,
};

/**
 * For a process that opened the database `url` names (a server, `npm run worker`):
 * the checkpoints on PGlite; null on PostgreSQL, whose checkpointer is its own.
 */
export function checkpointsOf(url: string | undefined, database: Database, logger: Logger): PeriodicWork | null {
  return isEmbeddedDatabase(url) ? startWalCheckpoints(database, logger) : null;
}

export function startWalCheckpoints(database: Database, logger: Logger, options: WalCheckpointOptions = WAL_CHECKPOINTS): PeriodicWork {
  const busy = sampleBusy(database, options);
  const checkpoints = startPeriodic({
    intervalMs: options.intervalMs,
    logger,
    failureMessage: 'Checkpoint of the embedded database failed',
    round: async () => {
      const wal = await walSinceCheckpoint(database.db);
      const busyShare = busy.share();
      const pastCeiling = wal >= options.ceilingBytes;
      if (!pastCeiling && (wal < options.walBytes || busyShare > options.quietBusyShare)) return;
      const started = performance.now();
      await database.db.execute(sql`checkpoint`);
      // `ms`: how long it held the database, and every request behind it.
      logger.info('Checkpoint of the embedded database', {
        reason: pastCeiling ? 'past the WAL ceiling' : 'quiet',
        walMb: Math.round(wal / MB),
        busyShare: Math.round(busyShare * 100) / 100,
        ms: Math.round(performance.now() - started),
      });
    },
  });
  return {
    async stop() {
      busy.stop();
      await checkpoints.stop();
    },
  };
}

/** Bytes of WAL written since the last checkpoint began. */
export async function walSinceCheckpoint(db: AppDatabase): Promise<number> {
  const [row] = await db.execute<{ bytes: number | string }>(
    sql`select (pg_current_wal_lsn() - checkpoint_lsn)::float8 as bytes from pg_control_checkpoint()`,
  );
  return Number(row?.bytes ?? 0);
}

/**
 * Samples whether the database's connection is in use, every `sampleMs`; `share`
 * is the share of the samples over the last `quietMs` that found it in use (1
 * until that long has been sampled).
 */
function sampleBusy(database: Database, { sampleMs, quietMs }: WalCheckpointOptions): { share(): number; stop(): void } {
  const samples: boolean[] = [];
  const kept = Math.max(1, Math.round(quietMs / sampleMs));
  const timer = setInterval(() => {
    samples.push(database.poolUsage().some((pool) => pool.inUse > 0));
    if (samples.length > kept) samples.shift();
  }, sampleMs).unref();
  return {
    share: () => (samples.length < kept ? 1 : samples.filter(Boolean).length / samples.length),
    stop: () => clearInterval(timer),
  };
}
