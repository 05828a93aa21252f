/**
 * Keyset pagination over a (time, id) pair ordered newest first: the SQL
 * conditions and order for a page, and the page built from the rows it returns.
 * Row-value comparisons let PostgreSQL seek straight into the tenant's
 * (…, time, id) index, so page 1,000 costs what page 1 does.
 */
import { asc, desc, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { CursorPosition } from './cursor';
import type { PageRequest } from './pageRequest';

export interface KeysetColumns {
  time: AnyColumn;
  id: AnyColumn;
  /** SQL type of the id column, for the cursor's id parameter. */
  idType: 'bigint' | 'text';
}

export interface KeysetQuery {
  conditions: SQL[];
  orderBy: SQL[];
  /** One more than the page size: the extra row tells whether another page exists. */
  limit: number;
}

export function keysetQuery(columns: KeysetColumns, request: PageRequest): KeysetQuery {
  const conditions: SQL[] = [];
  if (request.after) conditions.push(compare(columns, '<', request.after));
  if (request.before) conditions.push(compare(columns, '>', request.before));
  const order = request.direction === 'forward' ? desc : asc;
  return { conditions, orderBy: [order(columns.time), order(columns.id)], limit: request.limit + 1 };
}

function compare(columns: KeysetColumns, operator: '<' | '>', position: CursorPosition): SQL {
  return sql`(${columns.time}, ${columns.id}) ${sql.raw(operator)} (${position.time.toISOString()}::timestamptz, ${position.id}::${sql.raw(columns.idType)})`;
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Edge<Row> {
  cursor: string;
  node: Row;
}

/**
 * Turns the rows of a `keysetQuery` (in query order, possibly one too many) into
 * edges newest first. The side the client came from counts as having a page when
 * it passed a cursor on that side: that cursor's row lies there.
 */
export function pageFromRows<Row>(
  rows: Row[],
  request: PageRequest,
  cursorOf: (row: Row) => string,
): { edges: Edge<Row>[]; pageInfo: PageInfo } {
  const hasMore = rows.length > request.limit;
  const pageRows = hasMore ? rows.slice(0, request.limit) : rows;
  if (request.direction === 'backward') pageRows.reverse();
  const edges = pageRows.map((node) => ({ cursor: cursorOf(node), node }));
  const forward = request.direction === 'forward';
  return {
    edges,
    pageInfo: {
      hasNextPage: forward ? hasMore : request.before !== null,
      hasPreviousPage: forward ? request.after !== null : hasMore,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
