import DataLoader from 'dataloader';
import type { AppDatabase } from '../db/database';
import type { BatchRow } from '../db/schema';
import type { Connection, Page } from '../pagination/connection';
import { parsePageArgs, type PageArgs, type PageRequest } from '../pagination/pageRequest';
import type { Tenant } from '../tenant';
import { countBatchesOfDatasets } from './countBatchesOfDatasets';
import { listBatchesOfDatasets } from './listBatchesOfDatasets';

/**
 * The batches of the datasets of one request, read together: every dataset that
 * asks for the same page costs one statement between them, and every total one
 * more. Create one per request (its cache must not outlive the request).
 */
export interface DatasetBatchesLoader {
  /**
   * One page of the batches written into the tenant's dataset `datasetId`, newest
   * first (page size defaults to 20, at most 100), with its total counted only
   * when asked for. Rejects with BAD_USER_INPUT naming a bad argument.
   */
  load(datasetId: string, args: PageArgs): Promise<Connection<BatchRow>>;
}

export function createDatasetBatchesLoader(db: AppDatabase, tenant: Tenant): DatasetBatchesLoader {
  // One DataLoader per page request, so that only datasets asking for the same page
  // share a statement; any shape (`last`/`before` too) batches, as each dataset's
  // page is its own lateral subquery.
  const pages = new Map<string, DataLoader<string, Page<BatchRow>>>();
  // A total does not depend on the page: one count for every dataset of the request.
  const totals = new DataLoader<string, number>((ids) => countBatchesOfDatasets(db, tenant, ids));
  return {
    async load(datasetId, args) {
      // Parsed per field, before any batching: a bad argument fails its own field, as it always has.
      const request = parsePageArgs('batch', tenant, args);
      const key = requestKey(request);
      let loader = pages.get(key);
      if (!loader) {
        loader = new DataLoader((ids) => listBatchesOfDatasets(db, tenant, ids, request));
        pages.set(key, loader);
      }
      const page = await loader.load(datasetId);
      return { ...page, countTotal: () => totals.load(datasetId) };
    },
  };
}

/** Equal for requests of the same page: same direction, size and cursor positions. */
function requestKey({ direction, limit, after, before }: PageRequest): string {
  return JSON.stringify([direction, limit, after?.time.getTime(), after?.id, before?.time.getTime(), before?.id]);
}
