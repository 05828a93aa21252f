/**
 * Compiles a PQL tree into SQL values (pqlValues.ts). Paths read the profile
 * document `{profileId, identities, …attributes}` as an export writes it:
 * `profileId` is the store's key, `identities…` the identities column, anything
 * else `attributes`; inside a filter they read the filtered element. Conditions follow
 * SQL's three-valued logic: a comparison with an absent value is NULL, and
 * `not` of NULL is NULL, so neither matches.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Node, NodeOf } from './ast';
import { isCalendarDate, periodOf } from './calendar';
import { anyOf, elementOf, eventsOf, itemsOf, type CompileContext } from './collections';
import { compileArithmetic, compileComparison, compileIn, compileLike } from './compileComparison';
import { compileMethod } from './compileMethod';
import { compileOccurs } from './compileOccurs';
import { PqlSyntaxError, PqlUnsupportedError } from './pqlErrors';
import { coerce, describe, instant, literal, numeric, type Collection, type Value } from './pqlValues';
import { UNSUPPORTED_FUNCTIONS } from './supportedPql';

/** Compiles a node that must be a condition into a SQL boolean (NULL when unknown). */
export function compileCondition(node: Node, context: CompileContext): SQL {
  return asCondition(compileNode(node, context), node, context);
}

/**
 * Compiles a node that must be a condition where only its truth counts (a
 * WHERE clause, `is true`): true exactly when compileCondition's is, but it
 * may be false where that is NULL, and may be cheaper (a value's `whenTrue`).
 */
export function compileTruth(node: Node, context: CompileContext): SQL {
  const value = compileNode(node, context);
  return value.kind === 'boolean' && value.whenTrue ? value.whenTrue : asCondition(value, node, context);
}

/** A value used as a condition: a boolean, a boolean attribute, or a collection (true when it has an element). */
export function asCondition(value: Value, node: Node, context: CompileContext): SQL {
  if (value.kind === 'collection') return anyOf(value, context);
  const condition = coerce(value, 'boolean');
  if (!condition) throw new PqlSyntaxError(`Expected a condition, found ${describe(value)}`, node.position);
  return condition;
}

/** A value read as a collection: a collection itself, or the items of an array attribute. */
export function asCollection(value: Value, node: Node, context: CompileContext): Collection {
  if (value.kind === 'collection') return value;
  if (value.kind === 'attribute') return itemsOf(value, context);
  throw new PqlSyntaxError(`Expected an array, found ${describe(value)}`, node.position);
}

export function compileNode(node: Node, context: CompileContext): Value {
  switch (node.type) {
    case 'string':
      return literal(node.value);
    case 'number':
      // The digits as written: a JavaScript number would round long ones.
      return { kind: 'number', sql: numeric(node.text), literal: Number(node.text) };
    case 'boolean':
      return literal(node.value);
    case 'list':
      return { kind: 'list', json: `[${node.items.map((item) => jsonLiteralOf(item)).join(',')}]` };
    case 'time':
      return { kind: 'timestamp', sql: instant(periodOf(node.time, context.now).start) };
    case 'path':
      return pathValue(node.segments, context);
    case 'xEvent':
      if (context.element) throw new PqlUnsupportedError('xEvent inside a filter', node.position);
      return eventsOf(context);
    case 'method':
      return compileMethod(node, context);
    case 'call':
      return compileCall(node, context);
    case 'filter':
      return compileFilter(node, context);
    case 'member':
      throw new PqlUnsupportedError('field of a result', node.position, `read "${node.name}" inside a filter instead`);
    case 'and':
    case 'or': {
      const operands = node.operands.map((operand) => ({ operand, value: compileNode(operand, context) }));
      const join = (conditions: SQL[]) => sql`(${sql.join(conditions, sql.raw(` ${node.type} `))})`;
      const exact = join(operands.map(({ operand, value }) => asCondition(value, operand, context)));
      // True exactly when every (and) or any (or) operand is true: their truths serve as well.
      if (!operands.some(({ value }) => value.kind === 'boolean' && value.whenTrue)) return { kind: 'boolean', sql: exact };
      const whenTrue = join(operands.map(({ operand, value }) => (value.kind === 'boolean' && value.whenTrue) || asCondition(value, operand, context)));
      return { kind: 'boolean', sql: exact, whenTrue };
    }
    case 'not':
      return { kind: 'boolean', sql: sql`(not ${compileCondition(node.operand, context)})` };
    case 'negate': {
      // A number literal negated keeps its digits as written, as it does unnegated.
      if (node.operand.type === 'number') return { kind: 'number', sql: numeric(`-${node.operand.text}`), literal: -Number(node.operand.text) };
      const operand = compileNode(node.operand, context);
      if (operand.kind === 'number' && typeof operand.literal === 'number') return literal(-operand.literal);
      const number = coerce(operand, 'number');
      if (!number) throw new PqlSyntaxError(`Cannot negate ${describe(operand)}`, node.position);
      return { kind: 'number', sql: sql`(- ${number})` };
    }
    case 'compare':
      return compileComparison(node, context);
    case 'arithmetic':
      return compileArithmetic(node, context);
    case 'like':
      return compileLike(node, context);
    case 'in':
      return compileIn(node, context);
    case 'occurs':
      return compileOccurs(node, context);
  }
}

/**
 * `node` compiled where one value is read: compared, matched, tested for null. A path
 * `identities.x` reads across the identities array, one value per identity; read as one
 * value it is absent on every profile, and the segment would be silently empty (or, for
 * `isNull()`, every profile): refused, pointing at what reads a list.
 */
export function compileOneValue(node: Node, context: CompileContext): Value {
  if (node.type === 'path' && node.segments[0] === 'identities' && node.segments.length > 1 && !context.element) {
    throw new PqlSyntaxError(
      `Cannot read ${node.segments.join('.')} as one value: it is a list, one value per identity; use includes, intersects or count()`,
      node.position,
    );
  }
  return compileNode(node, context);
}

function pathValue(segments: string[], context: CompileContext): Value {
  if (context.element) return { kind: 'attribute', root: context.element, segments };
  if (segments[0] === 'identities') return { kind: 'attribute', root: sql`${context.profile}.identities`, segments: segments.slice(1) };
  // The key, as the export's record has it: an attribute of that name is shadowed there too.
  if (segments[0] === 'profileId') return { kind: 'attribute', root: sql`to_jsonb(${context.profile}.profile_id)`, segments: segments.slice(1) };
  return { kind: 'attribute', root: sql`${context.profile}.attributes`, segments };
}

/** A literal of a list as JSON: a string, a number (maybe negative) with every digit written, or a boolean. */
function jsonLiteralOf(node: Node): string {
  if (node.type === 'string' || node.type === 'boolean') return JSON.stringify(node.value);
  // JSON has no leading zeros; the tokenizer's numbers are digits with an optional fraction.
  const digits = (text: string) => text.replace(/^0+(?=[0-9])/, '');
  if (node.type === 'number') return digits(node.text);
  if (node.type === 'negate' && node.operand.type === 'number') return `-${digits(node.operand.text)}`;
  throw new PqlSyntaxError('List items must be string, number or boolean literals', node.position);
}

function compileFilter(node: NodeOf<'filter'>, context: CompileContext): Value {
  const collection = asCollection(compileNode(node.target, context), node.target, context);
  // Filter conditions end in a WHERE clause: only their truth counts.
  const condition = compileTruth(node.condition, withElement(context, elementOf(collection)));
  return { ...collection, conditions: [...collection.conditions, condition] };
}

/** The context inside a filter or an aggregate: the same aliases and flags, paths reading `element`. */
export function withElement(context: CompileContext, element: SQL): CompileContext {
  return {
    profile: context.profile,
    now: context.now,
    element,
    alias: (prefix) => context.alias(prefix),
    get usesEvents() {
      return context.usesEvents;
    },
    set usesEvents(value: boolean) {
      context.usesEvents = value;
    },
  };
}

function compileCall(node: NodeOf<'call'>, context: CompileContext): Value {
  const now = context.now;
  const current: Record<string, number> = {
    currentYear: now.getUTCFullYear(),
    currentMonth: now.getUTCMonth() + 1,
    currentDayOfMonth: now.getUTCDate(),
  };
  if (Object.hasOwn(current, node.name)) {
    if (node.args.length > 0) throw new PqlSyntaxError(`${node.name}() takes no arguments`, node.position);
    return literal(current[node.name]!);
  }
  if (node.name === 'date') return dateLiteral(node);
  if (UNSUPPORTED_FUNCTIONS.has(node.name)) throw new PqlUnsupportedError(node.name, node.position);
  throw new PqlSyntaxError(`Unknown function ${node.name}()`, node.position);
}

function dateLiteral(node: NodeOf<'call'>): Value {
  const parts = node.args.map((arg) => (arg.type === 'number' && /^[0-9]+$/.test(arg.text) ? Number(arg.text) : NaN));
  const [year, month, day] = parts;
  if (parts.length !== 3 || parts.some(Number.isNaN)) {
    throw new PqlSyntaxError('date() takes three whole numbers: date(year, month, day)', node.position);
  }
  if (!isCalendarDate(year!, month!, day!)) {
    throw new PqlSyntaxError(`date(${year}, ${month}, ${day}) is not a calendar day`, node.position);
  }
  return { kind: 'timestamp', sql: instant(periodOf({ kind: 'date', year: year!, month: month!, day: day! }, new Date(0)).start) };
}
