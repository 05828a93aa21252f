/**
 * Compiling without a database: what is refused at compile time (unknown
 * functions, wrong arities, mistyped operands, unsupported constructs), the
 * GraphQL form of those refusals, that no text of the expression reaches the
 * SQL text, and that every example of the support table is either compiled or
 * refused as the table says.
 */
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { compileSegmentPredicate } from '../../../src/segments/pql/compileSegmentPredicate';
import { pqlErrorToGraphQL, PqlSyntaxError, PqlUnsupportedError } from '../../../src/segments/pql/pqlErrors';
import { SUPPORTED_PQL, supportTableMarkdown } from '../../../src/segments/pql/supportedPql';

const NOW = new Date('2024-06-15T12:00:00Z');
const compile = (expression: string) => compileSegmentPredicate(expression, { profile: sql.raw('p'), now: NOW });
const thrownBy = (expression: string): unknown => {
  try {
    compile(expression);
  } catch (error: unknown) {
    return error;
  }
  throw new Error(`${expression} compiled`);
};

describe('compileSegmentPredicate', () => {
  it.each([
    ['person.name.frobnicate()', /Unknown function frobnicate/, 'frobnicate'],
    ['nosuch() = 1', /Unknown function nosuch/, 'nosuch'],
    ['person.name.isNull(1)', /takes 0 arguments, got 1/, 'isNull'],
    ['person.name.startsWith()', /takes 1 to 2 arguments, got 0/, 'startsWith'],
    ['currentYear(1) = 2024', /takes no arguments/, 'currentYear'],
    ['person.name.startsWith(1)', /needs a string literal/, '1'],
    ['person.name.contains("a", "yes")', /true or false/, '"yes"'],
    ['1 = "a"', /Cannot compare a number with a string/, '='],
    ['person.active < true', /Booleans have no order/, '<'],
    ['person.age + "x" > 1', /Arithmetic needs numbers/, '"x"'],
    ['xEvent = 1', /Cannot compare experience events/, 'xEvent'],
    ['identities.namespace = "email"', /Cannot read identities\.namespace as one value: it is a list, one value per identity; use includes, intersects or count\(\)/, 'identities'],
    ['"x" != identities.id', /Cannot read identities\.id as one value/, 'identities'],
    // Read as one value anywhere else, it was absent on every profile: an empty segment, or for isNull() every profile.
    ['identities.namespace in ["email"]', /Cannot read identities\.namespace as one value/, 'identities'],
    ['identities.namespace notIn ["email"]', /Cannot read identities\.namespace as one value/, 'identities'],
    ['identities.namespace like "em%"', /Cannot read identities\.namespace as one value/, 'identities'],
    ['identities.namespace.equals("email")', /Cannot read identities\.namespace as one value/, 'identities'],
    ['identities.id.startsWith("a")', /Cannot read identities\.id as one value/, 'identities'],
    ['identities.id.isNull()', /Cannot read identities\.id as one value/, 'identities'],
    ['identities.id.isNotNull()', /Cannot read identities\.id as one value/, 'identities'],
    ['person.age.count() + 1', /Expected a condition, found a number/, '+'],
    ['city like person.pattern', /string literal pattern/, 'person'],
    ['person.x in 3', /Expected an array, found a number/, '3'],
    ['xEvent.distinct().count() > 1', /distinct\(\) needs an array attribute/, 'distinct'],
    ['xEvent.sum() > 1', /needs the field/, 'sum'],
    ['date(2023, 2, 29) < person.birthDate', /not a calendar day/, 'date'],
    ['person.x occurs < 99999 years before now', /outside the years 1 to 9999/, 'occurs'],
  ])('refuses %j as a syntax error', (expression, message, token) => {
    const error = thrownBy(expression);
    expect(error).toBeInstanceOf(PqlSyntaxError);
    expect((error as PqlSyntaxError).message).toMatch(message);
    expect((error as PqlSyntaxError).token).toBe(token);
  });

  it.each([
    ['person.favoriteColors.intersection(["red"]).count() > 0', 'intersection'],
    ['if (homeAddress.countryISO = "CA", true, false)', 'if'],
    ['orders.topN(price, 5).head().isNull()', 'head'],
    ['identityMap.get("example@example.com").isNull()', 'get'],
    ['person.name.matches("(?<first>J)")', 'matches'],
    ['person.name.matches("a*+")', 'matches'],
    ['person.name.matches("\\\\p{L}")', 'matches'],
    ['person.name.matches("(a{200}){200}")', 'matches'],
    ['person.name.matches("a{256}")', 'matches'],
    [`person.name.matches("${'\\\\w{1,250}'.repeat(8)}a{1}")`, 'matches'],
    // A group's repetition copies its atoms: seven of these are 17,850, past the budget.
    [`person.name.matches("${'(?:\\\\w\\\\w\\\\w\\\\w\\\\w\\\\w\\\\w\\\\w\\\\w\\\\w){255}'.repeat(7)}")`, 'matches'],
    ['xEvent[xEvent.count() > 1]', 'xEvent inside a filter'],
    ['xEvent[a = 1].eventType = "x"', 'field of a result'],
  ])('refuses %j as the unsupported %j', (expression, construct) => {
    const error = thrownBy(expression);
    expect(error).toBeInstanceOf(PqlUnsupportedError);
    expect((error as PqlUnsupportedError).construct).toBe(construct);
  });

  it('binds every literal and path segment as a parameter, never as SQL text', () => {
    const hostile = `x'); drop table profiles; --`;
    const { predicate } = compile(`person.name.firstName = "${hostile}" or a_b.c.contains("${hostile}")`);
    const query = new PgDialect().sqlToQuery(predicate);
    expect(query.sql).not.toMatch(/drop table|firstName|a_b/);
    expect(query.params).toContain(hostile);
  });

  it('refuses an expression whose SQL would outgrow a statement, however it nests, and renders what it takes within one', () => {
    // Each arithmetic level writes its operands twice (their overflow bound): 14 `+` bound ~98,000 values.
    const sum = (terms: number) => `${Array.from({ length: terms }, (_, i) => `s${i}.value`).join(' + ')} > 0`;
    // A minus sign between the levels, which a count kept on each level's SQL would lose.
    const negated = (levels: number) => `${'-('.repeat(levels)}a.v${' + a.v)'.repeat(levels)} > 0`;
    for (const accepted of [sum(11), negated(10)]) {
      expect(new PgDialect().sqlToQuery(compile(accepted).predicate).params.length).toBeLessThan(20_000);
    }
    for (const refused of [sum(15), sum(60), negated(30)]) {
      const error = thrownBy(refused);
      expect(error).toBeInstanceOf(PqlSyntaxError);
      expect((error as PqlSyntaxError).message).toMatch(/too large to evaluate/);
    }
  });

  it('turns its errors into BAD_USER_INPUT on expression.value, and nothing else', () => {
    const syntax = pqlErrorToGraphQL(thrownBy('a = '));
    expect(syntax?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'expression.value', line: 1, column: 5, token: '' });
    const unsupported = pqlErrorToGraphQL(thrownBy('a.groupBy(b).isNull()'));
    expect(unsupported?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'expression.value', unsupported: 'groupBy' });
    expect(pqlErrorToGraphQL(new Error('boom'))).toBeUndefined();
  });

  it('compiles every supported example of the support table and refuses every other by name', () => {
    for (const entry of SUPPORTED_PQL) {
      if (entry.supported) {
        expect(() => compile(entry.example), entry.example).not.toThrow();
      } else {
        expect(thrownBy(entry.example), entry.example).toBeInstanceOf(PqlUnsupportedError);
      }
    }
    expect(supportTableMarkdown()).toMatch(/^\| family \| construct \|/);
  });
});
