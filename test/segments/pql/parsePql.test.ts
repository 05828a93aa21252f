/**
 * The PQL parser: precedence, the occurs grammar, positions of syntax errors,
 * constructs refused by name, and the bounds that keep hostile input cheap.
 */
import { describe, expect, it } from 'vitest';
import { parsePql } from '../../../src/segments/pql/parsePql';
import { PqlSyntaxError, PqlUnsupportedError } from '../../../src/segments/pql/pqlErrors';

const syntaxErrorOf = (expression: string): PqlSyntaxError => {
  try {
    parsePql(expression);
  } catch (error: unknown) {
    if (error instanceof PqlSyntaxError) return error;
    throw error;
  }
  throw new Error(`${expression} parsed`);
};

/** The tree as nested arrays of node types, the shape precedence decides. */
const shape = (expression: string): unknown => {
  const walk = (node: ReturnType<typeof parsePql>): unknown => {
    switch (node.type) {
      case 'and':
      case 'or':
        return [node.type, ...node.operands.map(walk)];
      case 'not':
        return ['not', walk(node.operand)];
      case 'compare':
        return [node.operator, walk(node.left), walk(node.right)];
      case 'arithmetic':
        return [node.operator, walk(node.left), walk(node.right)];
      case 'path':
        return node.segments.join('.');
      case 'number':
        return Number(node.text);
      default:
        return node.type;
    }
  };
  return walk(parsePql(expression));
};

describe('parsePql', () => {
  it('binds not tighter than and, and and tighter than or', () => {
    expect(shape('not a = 1 and b = 2 or c = 3')).toEqual(['or', ['and', ['not', ['=', 'a', 1]], ['=', 'b', 2]], ['=', 'c', 3]]);
    expect(shape('a = 1 or b = 2 and not c = 3')).toEqual(['or', ['=', 'a', 1], ['and', ['=', 'b', 2], ['not', ['=', 'c', 3]]]]);
    expect(shape('!(a = 1 or b = 2)')).toEqual(['not', ['or', ['=', 'a', 1], ['=', 'b', 2]]]);
  });

  it('binds multiplication tighter than addition, and both tighter than comparison', () => {
    expect(shape('a + b * 2 > 3')).toEqual(['>', ['+', 'a', ['*', 'b', 2]], 3]);
  });

  it('flattens a long chain of or into one node', () => {
    const expression = Array.from({ length: 500 }, (_, i) => `a = ${i}`).join(' or ');
    const tree = parsePql(expression);
    expect(tree.type === 'or' && tree.operands).toHaveLength(500);
  });

  it('reads keywords after a dot as field names', () => {
    expect(shape('person.last.next = 1')).toEqual(['=', 'person.last.next', 1]);
  });

  it('reads every form of occurs the reference lists', () => {
    const clause = (expression: string) => {
      const tree = parsePql(expression);
      return tree.type === 'occurs' ? tree.clause : undefined;
    };
    expect(clause('t occurs <= 3 days before now')).toEqual({
      form: 'distance',
      operator: '<=',
      amount: 3,
      unit: 'day',
      direction: 'before',
      time: { kind: 'now' },
    });
    expect(clause('t occurs = 2 centuries from today')).toMatchObject({ unit: 'century', direction: 'after' });
    expect(clause('t occurs last week')).toEqual({ form: 'on', time: { kind: 'relative', which: 'last', unit: 'week' } });
    expect(clause('t occurs on date(2019, 12, 31)')).toEqual({ form: 'on', time: { kind: 'date', year: 2019, month: 12, day: 31 } });
    expect(clause('t occurs before yesterday')).toEqual({ form: 'direction', direction: 'before', time: { kind: 'day', offsetDays: -1 } });
    expect(clause('t occurs between date(2015, 1, 8) and date(2017, 7, 1)')).toMatchObject({ form: 'between' });
  });

  it.each([
    ['person.name = ', 1, 15, ''],
    ['a = 1 and\n  b = )', 2, 7, ')'],
    ['a = "unterminated', 1, 5, '"unterminated'],
    ["a = 'single'", 1, 5, "'"],
    ['a # 1', 1, 3, '#'],
    ['a = 1 b = 2', 1, 7, 'b'],
    ['(a = 1', 1, 7, ''],
    ['a = 1.', 1, 5, '1.'],
    ['x occurs < 3 fortnights before now', 1, 14, 'fortnights'],
    ['x occurs < -3 days before now', 1, 12, '-'],
    ['x occurs on date(2023, 2, 29)', 1, 13, 'date'],
    ['a.matches("\\w")', 1, 12, '\\w'],
    ['and = 1', 1, 1, 'and'],
    // What PostgreSQL cannot hold, written as escapes: a NUL, an unpaired surrogate.
    ['a = "\\u0000"', 1, 5, '"\\u0000"'],
    ['a in ["ok", "\\uD800"]', 1, 13, '"\\uD800"'],
  ])('reports %j at line %i, column %i, token %j', (expression, line, column, token) => {
    expect(syntaxErrorOf(expression)).toMatchObject({ line, column, token });
  });

  it('reads a pair of surrogate escapes as the one character they make', () => {
    expect(() => parsePql('a = "\\uD83D\\uDE00"')).not.toThrow();
  });

  it.each([
    ['exists E from xEvent where (E.commerce.item.price > 50)', 'exists'],
    ['forall E from xEvent where (E.commerce.item.price > 50)', 'forall'],
    ['let S = (sum X.commerce.order.priceTotal over X from xEvent) in (S > 100)', 'let'],
    ['select X from xEvent where X.eventType = "a"', 'select'],
    ['$1.homeAddress.stateProvince = $1.workAddress.stateProvince', '$1'],
    ['(Profile) => Profile.homeAddress.stateProvince = "CA"', 'lambda'],
    ['xEvent[productListItems[SKU = "PS" or ^^.person.gender = "female"]]', '^'],
    ['order.shipDate occurs < 2 days after order.orderDate', 'occurs relative to an attribute'],
  ])('refuses %j as the unsupported %j', (expression, construct) => {
    expect(() => parsePql(expression)).toThrow(PqlUnsupportedError);
    try {
      parsePql(expression);
    } catch (error: unknown) {
      expect((error as PqlUnsupportedError).construct).toBe(construct);
    }
  });

  it('refuses nesting deeper than 64 levels before it can exhaust a stack', () => {
    expect(() => parsePql(`${'('.repeat(64)}a = 1${')'.repeat(64)}`)).not.toThrow();
    expect(syntaxErrorOf(`${'('.repeat(65)}a = 1${')'.repeat(65)}`).message).toMatch(/deeper than 64/);
    expect(syntaxErrorOf(`${'not '.repeat(2000)}a = 1`).message).toMatch(/deeper than 64/);
    expect(syntaxErrorOf(`a${'.distinct()'.repeat(100)}.count() > 1`).message).toMatch(/deeper than 64/);
    expect(syntaxErrorOf(`${'1 + '.repeat(100)}1 = a`).message).toMatch(/deeper than 64/);
  });

  it('refuses expressions over 10,000 characters', () => {
    const error = syntaxErrorOf(`a = "${'x'.repeat(10_000)}"`);
    expect(error.message).toMatch(/longer than 10000/);
    expect(error).toMatchObject({ line: 1, column: 10_001 });
  });
});
