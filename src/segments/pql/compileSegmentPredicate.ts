/**
 * The entry of the PQL module: a segment's expression in, one set-based SQL
 * predicate over a profiles row out. The predicate is meant for
 * `select … from profiles p where p.org_id = $1 and p.sandbox_name = $2 and <predicate>`;
 * experience events are read by correlated subqueries on the same tenant and
 * profile id.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { CompileContext } from './collections';
import { compileTruth } from './compileNode';
import { parsePql } from './parsePql';

export interface CompiledSegment {
  /** True when the profile qualifies, false otherwise (never NULL: an unknown condition does not qualify). */
  predicate: SQL;
  /** Whether the predicate reads `experience_events`. */
  usesEvents: boolean;
}

export interface CompileOptions {
  /** The SQL alias of the profiles row in the caller's query, e.g. `sql.raw('p')`. */
  profile: SQL;
  /**
   * The evaluation time: `now`, `today`, `this month`, `currentYear()`… are
   * computed from it (in UTC) and bound as parameters, so one evaluation is
   * consistent.
   */
  now: Date;
}

/**
 * Parses and compiles `expression` (PQL, see SUPPORTED_PQL). Throws
 * PqlSyntaxError for anything that is not valid PQL or mistyped, and
 * PqlUnsupportedError for documented PQL this evaluator refuses; nothing of
 * the expression can fail at execution. Every literal and path is a bound
 * parameter.
 */
export function compileSegmentPredicate(expression: string, options: CompileOptions): CompiledSegment {
  if (Number.isNaN(options.now.getTime())) throw new TypeError('compileSegmentPredicate needs a valid `now`');
  const tree = parsePql(expression);
  let aliases = 0;
  const context: CompileContext = {
    profile: options.profile,
    now: options.now,
    // Aliases of subqueries, prefixed so they cannot shadow the caller's.
    alias: (prefix) => `pql_${prefix}${++aliases}`,
    usesEvents: false,
  };
  const condition = compileTruth(tree, context);
  return { predicate: sql`((${condition}) is true)`, usesEvents: context.usesEvents };
}
