/**
 * Keyset pagination over one unique text key, ascending, forward only
 * (`first`/`after`): for lists without a time order, such as a batch's records
 * by profile id. `key > after` resumes exactly after the cursor's row, served by
 * an index whose last column is the key.
 */
import type { Tenant } from '../tenant';
import { decodeKeyCursor, type KeyCursorKind } from './cursor';
import type { Edge, PageInfo } from './keyset';
import { checkPageSize, DEFAULT_PAGE_SIZE } from './pageRequest';

export interface KeyPageArgs {
  first?: number | null;
  after?: string | null;
}

export interface KeyPageRequest {
  limit: number;
  /** The key of the last row already read; null from the start. */
  after: string | null;
}

export function parseKeyPageArgs(kind: KeyCursorKind, tenant: Tenant, args: KeyPageArgs): KeyPageRequest {
  return {
    limit: checkPageSize('first', args.first) ?? DEFAULT_PAGE_SIZE,
    after: args.after ? decodeKeyCursor(kind, tenant, args.after, 'after') : null,
  };
}

/** The limit and the key to resume after of a page: one row more than the page, to tell whether another follows. */
export function keyPageValues(request: KeyPageRequest): { limit: number; afterKey: string | undefined } {
  return { limit: request.limit + 1, afterKey: request.after ?? undefined };
}

/** Turns the rows of a page query (possibly one too many) into edges and page info. */
export function keyPageFromRows<Row, Node>(
  rows: Row[],
  request: KeyPageRequest,
  edgeOf: (row: Row) => Edge<Node>,
): { edges: Edge<Node>[]; pageInfo: PageInfo } {
  const hasMore = rows.length > request.limit;
  const edges = (hasMore ? rows.slice(0, request.limit) : rows).map(edgeOf);
  return {
    edges,
    pageInfo: {
      hasNextPage: hasMore,
      hasPreviousPage: request.after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
