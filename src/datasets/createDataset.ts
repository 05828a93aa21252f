import { randomBytes } from 'node:crypto';
import type { AppDatabase } from '../db/database';
import { datasets, type DatasetRow } from '../db/schema';
import { badUserInput } from '../errors';
import type { CreateDatasetInput } from '../schema/resolvers.generated';
import type { Tenant } from '../tenant';

export async function createDataset(db: AppDatabase, tenant: Tenant, input: CreateDatasetInput): Promise<DatasetRow> {
  const name = input.name.trim();
  if (name === '') throw badUserInput('name', '`name` must not be empty');
  const schemaRefId = input.schemaRef.id.trim();
  if (schemaRefId === '') throw badUserInput('schemaRef.id', '`schemaRef.id` must not be empty');
  const schemaRefContentType = input.schemaRef.contentType.trim();
  if (schemaRefContentType === '') {
    throw badUserInput('schemaRef.contentType', '`schemaRef.contentType` must not be empty');
  }
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
