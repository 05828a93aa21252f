/**
 * Whether this server should get traffic (`/readyz`): the database answers,
 * has every migration of this build, and the server is not shutting down.
 * Liveness (`/healthz`) is another question, answered without the database: a
 * database outage must not get healthy processes restarted.
 */
import type { AppDatabase } from './db/database';
import { pendingMigrations } from './db/pendingMigrations';

/** A probe gives up on the database after this (a hung pool is not ready either). */
const CHECK_TIMEOUT_MS = 2_000;

export interface Readiness {
  /** Null when ready; otherwise why not, for the probe's answer. */
  check(): Promise<string | null>;
  /** From now on not ready: the server is shutting down. */
  stop(): void;
}

export function createReadiness(db: AppDatabase, migrationsFolder: string): Readiness {
  let stopping = false;
  return {
    async check() {
      if (stopping) return 'shutting down';
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`the database did not answer within ${CHECK_TIMEOUT_MS} ms`), CHECK_TIMEOUT_MS);
      });
      try {
        const pending = pendingMigrations(db, migrationsFolder).then((count) =>
          count === 0 ? null : `${count} migration(s) not applied`,
        );
        return await Promise.race([pending, timeout]);
      } catch {
        return 'the database did not answer';
      } finally {
        clearTimeout(timer);
      }
    },
    stop() {
      stopping = true;
    },
  };
}
