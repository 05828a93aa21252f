/**
 * Comparisons, arithmetic, `like` and `in` / `notIn`. Values are typed: an
 * attribute is read as the type of what it is compared with, and a stored
 * value of another JSON type, like an absent one, makes the comparison NULL
 * (neither it nor its `not` matches). Strings order by code point (collation
 * "C"), the same on every database.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { ComparisonOperator, Node, NodeOf } from './ast';
import { cappedCountOf, jsonArrayOf } from './collections';
import type { CompileContext } from './collections';
import { asCollection, compileNode, compileOneValue } from './compileNode';
import { PqlSyntaxError } from './pqlErrors';
import { coerce, describe, jsonAt, jsonParameter, jsonText, scalarJson, stringTruth, text, type ScalarKind, type Value } from './pqlValues';

const SQL_OPERATORS: Record<ComparisonOperator, string> = { '=': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };
const ORDERED = new Set<ComparisonOperator>(['<', '<=', '>', '>=']);
// Operands of arithmetic stay below this, so no product or quotient can overflow numeric.
const ARITHMETIC_BOUND = sql`1e100::numeric`;

export function compileComparison(node: NodeOf<'compare'>, context: CompileContext): Value {
  const left = compileOneValue(node.left, context);
  const right = compileOneValue(node.right, context);
  const operator = sql.raw(SQL_OPERATORS[node.operator]);
  for (const [side, sideNode] of [
    [left, node.left],
    [right, node.right],
  ] as const) {
    if (side.kind === 'list' || side.kind === 'collection') {
      throw new PqlSyntaxError(`Cannot compare ${describe(side)}; use in, includes or count()`, sideNode.position);
    }
  }
  if (left.kind === 'attribute' && right.kind === 'attribute') {
    return { kind: 'boolean', sql: compareAttributes(jsonAt(left), jsonAt(right), node.operator) };
  }
  const kind = (left.kind === 'attribute' ? right.kind : left.kind) as ScalarKind;
  const leftSql = coerce(left, kind);
  const rightSql = coerce(right, kind);
  if (!leftSql || !rightSql) {
    throw new PqlSyntaxError(`Cannot compare ${describe(left)} with ${describe(right)}`, node.position);
  }
  if (kind === 'boolean' && ORDERED.has(node.operator)) {
    throw new PqlSyntaxError(`Booleans have no order: use = or !=`, node.position);
  }
  const capped = cappedCount(node, left, right, context);
  if (capped) return { kind: 'boolean', sql: sql`(${capped} ${operator} ${rightSql})` };
  if (kind === 'string' && ORDERED.has(node.operator)) {
    return { kind: 'boolean', sql: sql`(${leftSql} collate "C" ${operator} ${rightSql} collate "C")` };
  }
  const whenTrue = node.operator === '=' ? wholeEquality(left, right) : undefined;
  return { kind: 'boolean', sql: sql`(${leftSql} ${operator} ${rightSql})`, ...(whenTrue && { whenTrue }) };
}

/**
 * `attribute = literal`, where only truth counts: a boolean as one jsonb
 * equality (true only for a stored boolean), a string compared as text before
 * its type is tested.
 */
function wholeEquality(left: Value, right: Value): SQL | undefined {
  const [attribute, other] = left.kind === 'attribute' ? [left, right] : [right, left];
  if (attribute.kind !== 'attribute') return undefined;
  if (other.kind === 'boolean' && typeof other.literal === 'boolean') return sql`(${jsonAt(attribute)} = ${jsonParameter(other.literal)})`;
  if (other.kind === 'string') return stringTruth(attribute, (stored) => sql`(${stored} = ${other.sql})`);
  return undefined;
}

/** `xEvent[…].count() op n`: counts at most n + 1 events, which decides every operator. */
function cappedCount(node: NodeOf<'compare'>, left: Value, right: Value, context: CompileContext): SQL | undefined {
  if (node.left.type !== 'method' || node.left.name !== 'count' || node.left.args.length > 0) return undefined;
  // Beyond a billion the cap saves nothing, and must stay a valid bigint.
  const n = right.kind === 'number' ? right.literal : undefined;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 1e9) {
    return undefined;
  }
  if (left.kind !== 'number' || !left.countOf) return undefined;
  return cappedCountOf(left.countOf, n + 1, context);
}

/** Two attributes of unknown types: equal when of one type and equal; ordered for two numbers or two strings. */
function compareAttributes(left: SQL, right: SQL, operator: ComparisonOperator): SQL {
  const op = sql.raw(SQL_OPERATORS[operator]);
  if (!ORDERED.has(operator)) {
    return sql`(case when jsonb_typeof(${left}) = jsonb_typeof(${right}) and jsonb_typeof(${left}) <> 'null' then ${left} ${op} ${right} end)`;
  }
  return sql`(case
    when jsonb_typeof(${left}) = 'number' and jsonb_typeof(${right}) = 'number' then (${left})::numeric ${op} (${right})::numeric
    when jsonb_typeof(${left}) = 'string' and jsonb_typeof(${right}) = 'string' then (${left} #>> '{}') collate "C" ${op} (${right} #>> '{}') collate "C"
  end)`;
}

export function compileArithmetic(node: NodeOf<'arithmetic'>, context: CompileContext): Value {
  const operand = (side: Node): { sql: SQL; literal?: number } => {
    const value = compileNode(side, context);
    const number = coerce(value, 'number');
    if (!number) throw new PqlSyntaxError(`Arithmetic needs numbers, found ${describe(value)}`, side.position);
    return value.kind === 'number' && typeof value.literal === 'number' ? { sql: number, literal: value.literal } : { sql: number };
  };
  const left = operand(node.left);
  const right = operand(node.right);
  // Literals are at most 40 digits; computed operands are bounded so the result cannot overflow.
  const bounded = (side: { sql: SQL; literal?: number }) =>
    side.literal !== undefined ? side.sql : sql`(case when abs(${side.sql}) < ${ARITHMETIC_BOUND} then ${side.sql} end)`;
  const divisor = node.operator === '/' || node.operator === '%' ? sql`nullif(${bounded(right)}, 0)` : bounded(right);
  return { kind: 'number', sql: sql`(${bounded(left)} ${sql.raw(node.operator)} ${divisor})` };
}

/** `value like "pattern"`: `%` any characters, `_` one, everything else itself; case-sensitive. */
export function compileLike(node: NodeOf<'like'>, context: CompileContext): Value {
  const target = coerce(compileOneValue(node.target, context), 'string');
  if (!target) throw new PqlSyntaxError('like needs a string on its left', node.target.position);
  const pattern = compileNode(node.pattern, context);
  if (pattern.kind !== 'string' || typeof pattern.literal !== 'string') {
    throw new PqlSyntaxError('like needs a string literal pattern', node.pattern.position);
  }
  // PQL has no escape character: a backslash is itself, so it is escaped for PostgreSQL.
  return { kind: 'boolean', sql: sql`(${target} like ${text(pattern.literal.replace(/\\/g, '\\\\'))})` };
}

/** A pattern matching `literal` exactly, for LIKE: `%`, `_` and `\` escaped. */
export function likeLiteral(literal: string): string {
  return literal.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/** `value in [..]` / `value notIn [..]`: membership by JSON value; NULL (neither) when the value, or the array, is absent. */
export function compileIn(node: NodeOf<'in'>, context: CompileContext): Value {
  const item = compileOneValue(node.item, context);
  const scalar = scalarJson(item);
  if (!scalar) throw new PqlSyntaxError(`in needs a string, number or boolean on its left, found ${describe(item)}`, node.item.position);
  const list = compileNode(node.list, context);
  const array =
    list.kind === 'list' ? jsonText(list.json) : jsonArrayOf(asCollection(list, node.list, context), context, 'kept');
  if (!array) throw new PqlSyntaxError(`in needs a list or an array attribute, found ${describe(list)}`, node.list.position);
  // An array contains a scalar that is one of its items (jsonb's `@>` special case).
  const contains = sql`(${array} @> ${scalar})`;
  return { kind: 'boolean', sql: node.negated ? sql`(not ${contains})` : contains };
}

