/**
 * The entry of the PQL module: a segment's expression in, one set-based SQL
 * predicate over a profiles row out. The predicate is meant for
 * `select … from profiles p where p.org_id = $1 and p.sandbox_name = $2 and <predicate>`;
 * experience events are read by correlated subqueries on the same tenant and
 * profile id.
 */
import { Column, is, SQL, sql, StringChunk, Table } from 'drizzle-orm';
import type { CompileContext } from './collections';
import { compileTruth } from './compileNode';
import { parsePql } from './parsePql';
import { PqlSyntaxError } from './pqlErrors';

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
  if (bindsPast(condition, MOST_PARAMETERS)) {
    throw new PqlSyntaxError(
      `This expression is too large to evaluate: written out as SQL it binds more than ${MOST_PARAMETERS} values (each level of arithmetic writes its operands twice); use fewer operators`,
      tree.position,
    );
  }
  return { predicate: sql`((${condition}) is true)`, usesEvents: context.usesEvents };
}

/**
 * The most values a compiled expression may bind. Compiling shares pieces of SQL rather
 * than copying them, but a statement writes out each use: an arithmetic level writes its
 * operands twice (their overflow bound), so nested arithmetic doubles per level — a sum of
 * 15 attributes bound ~98,000 values, past the 65,535 a statement holds, and one of 60
 * terms (within the nesting limit) would never finish rendering.
 */
const MOST_PARAMETERS = 20_000;

/** Whether `query`, written out, binds more than `most` values; walks at most 20 × `most` pieces to tell. */
function bindsPast(query: SQL, most: number): boolean {
  let values = 0;
  let pieces = 0;
  const past = (chunk: unknown): boolean => {
    if (++pieces > 20 * most) return true;
    if (chunk instanceof SQL) return chunk.queryChunks.some(past);
    // A list's items are written one by one, each a value unless it is SQL itself.
    if (Array.isArray(chunk)) return chunk.some(past);
    if (chunk === undefined || chunk instanceof StringChunk || is(chunk, Column) || is(chunk, Table)) return false;
    return ++values > most;
  };
  return past(query);
}
