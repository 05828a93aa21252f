/**
 * Key pages (keyPage.ts) of one list under many parents — a batch's records, a
 * webhook's deliveries — read together: the parents of one request that ask for
 * the same page (size and cursor) share one statement, where each used to run
 * its own. Create one per request: its cache must not outlive the request.
 */
import DataLoader from 'dataloader';
import type { Tenant } from '../tenant';
import type { KeyCursorKind } from './cursor';
import { parseKeyPageArgs, type KeyPageArgs, type KeyPageRequest } from './keyPage';

/**
 * Reads the page `request` of every parent of `parentIds` (one more row than the
 * page, as keyPageFromRows expects): rows by parent id, a parent without rows absent.
 */
export type ReadKeyPages<Row> = (parentIds: readonly string[], request: KeyPageRequest) => Promise<Map<string, Row[]>>;

export type KeyPagesLoader<Row> = (parentId: string, args: KeyPageArgs) => Promise<{ request: KeyPageRequest; rows: Row[] }>;

export function createKeyPagesLoader<Row>(kind: KeyCursorKind, tenant: Tenant, readPages: ReadKeyPages<Row>): KeyPagesLoader<Row> {
  const byRequest = new Map<string, DataLoader<string, Row[]>>();
  return async (parentId, args) => {
    // Parsed per field, before any batching: a bad argument fails its own field.
    const request = parseKeyPageArgs(kind, tenant, args);
    const key = JSON.stringify([request.limit, request.after]);
    let loader = byRequest.get(key);
    if (!loader) {
      loader = new DataLoader(async (parentIds) => {
        const rows = await readPages(parentIds, request);
        return parentIds.map((id) => rows.get(id) ?? []);
      });
      byRequest.set(key, loader);
    }
    return { request, rows: await loader.load(parentId) };
  };
}

/** Groups rows by their parent, keeping their order. */
export function groupedBy<Row>(rows: readonly Row[], parentOf: (row: Row) => string): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const parent = parentOf(row);
    const group = groups.get(parent);
    if (group) group.push(row);
    else groups.set(parent, [row]);
  }
  return groups;
}
