import type { Edge, PageInfo } from './keyset';

/** What a list resolver returns: one page, and the total counted only if a client selects it. */
export interface Connection<Row> {
  edges: Edge<Row>[];
  pageInfo: PageInfo;
  countTotal: () => Promise<number>;
}
