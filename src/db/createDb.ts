/**
 * The one place that chooses the database driver: PostgreSQL through
 * postgres.js for a `postgres://` URL, the embedded PGlite otherwise. Both are
 * migrated on open and answer as the same `Database`.
 */
import type { Database } from './database';
import { isEmbeddedDatabase, redact, type DatabaseOptions } from './databaseOptions';
import { openPglite } from './openPglite';
import { openPostgres } from './openPostgres';
import { projectPath } from '../projectPath';

export const MIGRATIONS_FOLDER = projectPath('drizzle');

/** Opens the database named by `options.url` and applies pending migrations. */
export async function createDb(options: DatabaseOptions): Promise<Database> {
  const { url } = options;
  if (isEmbeddedDatabase(url)) {
    return openPglite(url === 'memory://' ? undefined : options.dataDir, options, MIGRATIONS_FOLDER);
  }
  if (/^postgres(ql)?:\/\//.test(url!)) return openPostgres(url!, options, MIGRATIONS_FOLDER);
  throw new Error(`DATABASE_URL must start with postgres://, postgresql:// or be memory:// (got ${redact(url!)})`);
}
