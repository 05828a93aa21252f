/** Small steps most API tests start from, done through GraphQL like a client would. */
import { CREATE_DATASET, CREATE_EXPORT_JOB, PROFILE_SCHEMA_REF } from '../fixtures/operations';
import type { StorageTarget } from './databases';
import { startTestServer, TENANT, type TestServer } from './testServer';

export async function createDataset(
  api: TestServer,
  headers: Record<string, string> = TENANT,
  name = 'Profile export',
): Promise<string> {
  const response = await api.graphql(CREATE_DATASET, { input: { name, schemaRef: PROFILE_SCHEMA_REF } }, headers);
  if (!response.data?.createDataset) throw new Error(`createDataset failed: ${JSON.stringify(response.errors)}`);
  return response.data.createDataset.id as string;
}

/** The smallest valid `CreateExportJobInput` into `datasetId`, with `overrides` merged on top. */
export function jobInput(datasetId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    fields: 'identities.id,personalEmail.address',
    filter: { segments: [{ segmentId: '52c26d0d-45f2-47a2-ab30-ed06abc981ff', segmentNs: 'ups' }] },
    destination: { datasetId },
    schema: { name: '_xdm.context.profile' },
    ...overrides,
  };
}

export async function createJob(
  api: TestServer,
  datasetId: string,
  headers: Record<string, string> = TENANT,
  overrides: Record<string, unknown> = {},
): Promise<Record<string, any>> {
  const response = await api.graphql(CREATE_EXPORT_JOB, { input: jobInput(datasetId, overrides) }, headers);
  if (!response.data?.createExportJob) throw new Error(`createExportJob failed: ${JSON.stringify(response.errors)}`);
  return response.data.createExportJob as Record<string, any>;
}

/** A test server with one dataset of TENANT, the start of most suites. */
export async function startServerWithDataset(target: StorageTarget): Promise<{ api: TestServer; datasetId: string }> {
  const api = await startTestServer(target);
  return { api, datasetId: await createDataset(api) };
}
