import type { AppDatabase } from './database';

/**
 * Prepared statements for the hot read paths. Unprepared, drizzle has
 * PostgreSQL plan every query again, which costs more than running it; a
 * prepared one is planned once per connection (on postgres.js; PGlite plans
 * every call either way, but still skips rebuilding the SQL). Statements belong
 * to a database handle, so each is built lazily, once per handle and shape.
 */
export function statementCache<Shape, Statement>(
  keyOf: (shape: Shape) => string,
  build: (db: AppDatabase, shape: Shape) => Statement,
): (db: AppDatabase, shape: Shape) => Statement {
  const byDatabase = new WeakMap<AppDatabase, Map<string, Statement>>();
  return (db, shape) => {
    let statements = byDatabase.get(db);
    if (!statements) byDatabase.set(db, (statements = new Map()));
    const key = keyOf(shape);
    let statement = statements.get(key);
    if (!statement) statements.set(key, (statement = build(db, shape)));
    return statement;
  };
}

/** A query with a single shape: one prepared statement per database handle. */
export function preparedStatement<Statement>(build: (db: AppDatabase) => Statement): (db: AppDatabase) => Statement {
  const cached = statementCache((_shape: null) => '', (db) => build(db));
  return (db) => cached(db, null);
}
