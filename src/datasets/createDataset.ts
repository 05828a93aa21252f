import { randomBytes } from 'node:crypto';
import type { AppDatabase } from '../db/database';
import { datasets, type DatasetRow } from '../db/schema';
import { requiredKey } from '../profiles/storable';
import type { Tenant } from '../tenant';

/** The API's `CreateDatasetInput`, owned here: the resolver passes the API's input as it is. */
export interface CreateDatasetInput {
  name: string;
  schemaRef: { id: string; contentType: string };
}

export async function createDataset(db: AppDatabase, tenant: Tenant, input: CreateDatasetInput): Promise<DatasetRow> {
  const name = requiredKey(input.name, 'name');
  const schemaRefId = requiredKey(input.schemaRef.id, 'schemaRef.id');
  const schemaRefContentType = requiredKey(input.schemaRef.contentType, 'schemaRef.contentType');
  const [row] = await db
    .insert(datasets)
    .values({ id: newDatasetId(), ...tenant, name, schemaRefId, schemaRefContentType })
    .returning();
  if (!row) throw new Error('Insert of a dataset returned no row');
  return row;
}

/** 24 hex digits, the shape of the platform's dataset ids (`5b7c86968f7b6501e21ba9df`). */
function newDatasetId(): string {
  return randomBytes(12).toString('hex');
}
