/**
 * Keyset pagination over a (time, id) pair ordered newest first: the SQL
 * conditions and order for a page, and the page built from the rows it returns.
 * Row-value comparisons let PostgreSQL seek straight into the tenant's
 * (…, time, id) index, so page 1,000 costs what page 1 does.
 *
 * Rows created while a client pages land before its cursor and never disturb
 * the walk. The one gap: a row's time is its transaction's start, so a row whose
 * insert commits late can land behind a cursor that has already passed it.
 */
import { asc, desc, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { PageRequest } from './pageRequest';

export interface KeysetColumns {
  time: AnyColumn;
  id: AnyColumn;
  /** SQL type of the id column, for the cursor's id parameter. */
  idType: 'bigint' | 'text';
}

/** What the SQL of a page depends on; pages of one shape share one prepared statement. */
export interface PageShape {
  direction: PageRequest['direction'];
  after: boolean;
  before: boolean;
}

export function pageShapeOf(request: PageRequest): PageShape {
  return { direction: request.direction, after: request.after !== null, before: request.before !== null };
}

export function pageShapeKey(shape: PageShape): string {
  return `${shape.direction}${shape.after ? '_after' : ''}${shape.before ? '_before' : ''}`;
}

/**
 * Conditions and order of a page of this shape, on placeholders filled by
 * `keysetValues`: `afterTime`, `afterId`, `beforeTime`, `beforeId`, `limit`.
 */
export function keysetClauses(columns: KeysetColumns, shape: PageShape): { conditions: SQL[]; orderBy: SQL[] } {
  const conditions: SQL[] = [];
  if (shape.after) conditions.push(compare(columns, '<', 'after'));
  if (shape.before) conditions.push(compare(columns, '>', 'before'));
  const order = shape.direction === 'forward' ? desc : asc;
  return { conditions, orderBy: [order(columns.time), order(columns.id)] };
}

export function keysetValues(request: PageRequest): Record<string, unknown> {
  return {
    // One more than the page size: the extra row tells whether another page exists.
    limit: request.limit + 1,
    afterTime: request.after?.time.toISOString(),
    afterId: request.after?.id,
    beforeTime: request.before?.time.toISOString(),
    beforeId: request.before?.id,
  };
}

function compare(columns: KeysetColumns, operator: '<' | '>', side: 'after' | 'before'): SQL {
  return sql`(${columns.time}, ${columns.id}) ${sql.raw(operator)} (${sql.placeholder(`${side}Time`)}::timestamptz, ${sql.placeholder(`${side}Id`)}::${sql.raw(columns.idType)})`;
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
 * Turns the rows of a page query (in query order, possibly one too many) into
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
