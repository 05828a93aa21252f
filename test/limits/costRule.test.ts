/**
 * LIMIT_QUERY_COST prices an operation as a router's demand control does from
 * the same directives: `@listSize` sizes lists, `@cost` weighs fields.
 */
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { costLimitRule } from '../../src/limits/costRule';
import { buildSchema } from '../../src/schema/buildSchema';

const schema = buildSchema();

function costOf(query: string, limit = 0): number | undefined {
  const [error] = validate(schema, parse(query), [costLimitRule(limit)]);
  return error?.extensions.cost as number | undefined;
}

describe('the cost limit', () => {
  it("weighs a field by its @cost: previewSegment (100) beside exportJob (1 without one)", () => {
    const preview = costOf('{ previewSegment(expression: "true") { matchingProfiles } }');
    const lookup = costOf('{ exportJob(id: "1") { id } }');
    // The field's weight, plus one for the scalar under it.
    expect(preview).toBe(101);
    expect(lookup).toBe(2);
  });

  it('adds a connection its own weight, and multiplies what is under its edges by first', () => {
    const page = (first: number) => costOf(`{ exportJobs(first: ${first}) { totalCount edges { node { id } } } }`);
    // exportJobs 2 + totalCount 5 + edges 1 + first × (node 1 + id 1).
    expect(page(10)).toBe(2 + 5 + 1 + 10 * 2);
    expect(page(50)).toBe(2 + 5 + 1 + 50 * 2);
  });

  it('prices each fragment once, so that a chain of fragments spread twice each costs time in its length, not 2^n', () => {
    // Priced at every spread, 40 levels would take days; the cost itself doubles with each level.
    const levels = 40;
    const chain = Array.from({ length: levels }, (_, i) => `fragment F${i} on _Service { ...F${i + 1} ...F${i + 1} }`);
    const query = `query { _service { ...F0 } } ${chain.join(' ')} fragment F${levels} on _Service { sdl }`;
    expect(costOf(query)).toBe(1 + 2 ** levels);
  });

  it('prices a fragment again where a connection above gives it another size', () => {
    const query = `{ a: exportJobs(first: 10) { ...Jobs } b: exportJobs(first: 50) { ...Jobs } }
      fragment Jobs on ExportJobConnection { edges { node { id } } }`;
    expect(costOf(query)).toBe(2 + 1 + 10 * 2 + (2 + 1 + 50 * 2));
  });

  it('counts a negative first as no items, rather than subtracting it from the rest of the operation', () => {
    const negative = costOf('{ a: exportJobs(first: 100) { edges { node { id } } } b: exportJobs(first: -100000000) { edges { node { id } } } }');
    expect(negative).toBe(2 + 1 + 100 * 2 + (2 + 1 + 0));
  });

  it('refuses an operation above the limit and lets one at it through', () => {
    const query = '{ previewSegment(expression: "true") { matchingProfiles } }';
    expect(validate(schema, parse(query), [costLimitRule(101)])).toEqual([]);
    const [refused] = validate(schema, parse(query), [costLimitRule(100)]);
    expect(refused?.extensions).toMatchObject({ cost: 101, maxCost: 100 });
  });
});
