/**
 * Relay pagination arguments, validated: `first`/`after` walks from the newest
 * towards older rows, `last`/`before` from the oldest of a range towards newer.
 */
import { badUserInput } from '../errors';
import type { Tenant } from '../tenant';
import { decodeCursor, type CursorKind, type CursorPosition } from './cursor';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface PageRequest {
  /** `forward` reads newest first from `after`; `backward` reads the `limit` rows just newer than `before`. */
  direction: 'forward' | 'backward';
  limit: number;
  after: CursorPosition | null;
  before: CursorPosition | null;
}

export function parsePageArgs(kind: CursorKind, tenant: Tenant, args: PageArgs): PageRequest {
  const first = checkPageSize('first', args.first);
  const last = checkPageSize('last', args.last);
  if (first !== null && last !== null) {
    throw badUserInput('last', 'Pass either `first` or `last`, not both');
  }
  // `before` alone reads the page just newer than the cursor, as `last` would.
  const backward = last !== null || (first === null && Boolean(args.before));
  return {
    direction: backward ? 'backward' : 'forward',
    limit: last ?? first ?? DEFAULT_PAGE_SIZE,
    after: args.after ? decodeCursor(kind, tenant, args.after, 'after') : null,
    before: args.before ? decodeCursor(kind, tenant, args.before, 'before') : null,
  };
}

/** `value` if it is a valid page size; throws BAD_USER_INPUT naming `field` otherwise. */
export function checkPageSize(field: 'first' | 'last', value: number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (value < 0 || value > MAX_PAGE_SIZE) {
    throw badUserInput(field, `\`${field}\` must be between 0 and ${MAX_PAGE_SIZE} (got ${value})`);
  }
  return value;
}
