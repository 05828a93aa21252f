/** Assertions and query matchers several suites share. */
import { expect } from 'vitest';
import type { GraphQLResponse } from './testServer';

/** A refused input: no data, one error, BAD_USER_INPUT naming `field`. */
export function expectBadInput(response: GraphQLResponse, field: string): void {
  expect(response.data ?? null).toBeNull();
  expect(response.errors).toHaveLength(1);
  expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
}

/** Whether a logged SQL statement is a select from `table`. */
export const selectsFrom = (table: string) => (query: string) =>
  /^\s*select\b/i.test(query) && new RegExp(`\\bfrom\\s+"${table}"`, 'i').test(query);
