import type { Edge, PageInfo } from './keyset';

/** One page of a list: its edges and where it stands. */
export interface Page<Row> {
  edges: Edge<Row>[];
  pageInfo: PageInfo;
}

/** What a list resolver with `totalCount` returns: one page, and the total counted only if a client selects it. */
export interface Connection<Row> extends Page<Row> {
  countTotal: () => Promise<number>;
}
