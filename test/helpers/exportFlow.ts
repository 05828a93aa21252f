/** Steps of export tests: load profiles, start a job, wait for its end, read what it wrote. */
import { asc, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { batchRecords, batches } from '../../src/db/schema';
import { CREATE_EXPORT_JOB, GET_EXPORT_JOB } from '../fixtures/operations';
import { createDataset, jobInput } from './seedApi';
import { TENANT, type TestServer } from './testServer';

const INGEST = /* GraphQL */ `
  mutation Ingest($profiles: [ProfileInput!]!) {
    ingestProfiles(profiles: $profiles) { upserted }
  }
`;

export interface ProfileSpec {
  profileId: string;
  identities?: { namespace: string; id: string }[];
  attributes?: Record<string, unknown>;
  updatedAt?: string;
  hasProfileRecord?: boolean;
  segments?: { segmentId: string; segmentNs?: string; status: string; qualificationTime?: string }[];
  events?: { ingestTime: string; data: Record<string, unknown> }[];
}

/** Loads profiles through `ingestProfiles`, 1,000 a call. */
export async function ingest(api: TestServer, profiles: ProfileSpec[], headers: Record<string, string> = TENANT): Promise<void> {
  for (let start = 0; start < profiles.length; start += 1000) {
    const batch = profiles.slice(start, start + 1000).map((profile) => ({
      identities: [{ namespace: 'email', id: `${profile.profileId}@example.com` }],
      updatedAt: '2026-10-01T00:00:00Z',
      ...profile,
      segments: profile.segments?.map((segment) => ({
        segmentNs: 'ups',
        qualificationTime: '2026-10-01T00:00:00Z',
        ...segment,
      })),
    }));
    const response = await api.graphql(INGEST, { profiles: batch }, headers);
    expect(response.errors).toBeUndefined();
  }
}

/** Creates a dataset and an export job into it; `input` is merged over the smallest valid job. */
export async function startExport(
  api: TestServer,
  input: Record<string, unknown>,
  headers: Record<string, string> = TENANT,
): Promise<{ jobId: string; datasetId: string }> {
  const datasetId = await createDataset(api, headers);
  const destination = { datasetId, ...(input.destination as Record<string, unknown> | undefined) };
  const job = jobInput(datasetId, { fields: null, filter: null, ...input, destination });
  const response = await api.graphql(CREATE_EXPORT_JOB, { input: job }, headers);
  expect(response.errors).toBeUndefined();
  return { jobId: response.data!.createExportJob.id as string, datasetId };
}

const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/** Polls the job until it reaches one of `statuses` (default: any terminal one); returns it. */
export async function waitForJob(
  api: TestServer,
  jobId: string,
  statuses: string[] = TERMINAL,
  headers: Record<string, string> = TENANT,
  timeoutMs = 20_000,
): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await api.graphql(GET_EXPORT_JOB, { id: jobId }, headers);
    const job = response.data?.exportJob as Record<string, any> | undefined;
    if (job && statuses.includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`Job ${jobId} still ${job?.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The records of a batch, by profileId. */
export async function recordsOf(api: TestServer, batchId: string): Promise<Record<string, any>[]> {
  const rows = await api.database.db
    .select()
    .from(batchRecords)
    .where(eq(batchRecords.batchId, batchId))
    .orderBy(asc(batchRecords.profileId));
  return rows.map((row) => row.record);
}

/** The profileIds a batch holds, sorted. */
export async function exportedIds(api: TestServer, batchId: string): Promise<string[]> {
  return (await recordsOf(api, batchId)).map((record) => record.profileId as string);
}

export async function batchRow(api: TestServer, batchId: string) {
  const [row] = await api.database.db.select().from(batches).where(eq(batches.id, batchId));
  return row;
}
