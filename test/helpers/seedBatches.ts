/**
 * Batches and records written straight into the tables, as the runner will:
 * there is no API that writes them.
 */
import { randomBytes } from 'node:crypto';
import { batchRecords, batches, type BatchRow } from '../../src/db/schema';
import { createJob } from './seedApi';
import { TENANT, type TestServer } from './testServer';

export interface BatchSeed {
  datasetId: string;
  headers?: Record<string, string>;
  /** A job of the same tenant into `datasetId` is created when omitted. */
  jobId?: number;
  segmentId?: string | null;
  segmentNs?: string | null;
  status?: 'LOADING' | 'SUCCESS' | 'FAILED' | 'ABORTED';
  recordCount?: number;
  createdAt?: Date;
}

/** 32 hex digits, the shape of the platform's batch ids (`da5cfb4de32c4b93a09f7e37fa53ad52`). */
export const newBatchId = (): string => randomBytes(16).toString('hex');

export async function insertBatch(api: TestServer, seed: BatchSeed): Promise<BatchRow> {
  const headers = seed.headers ?? TENANT;
  const jobId = seed.jobId ?? Number((await createJob(api, seed.datasetId, headers)).id);
  const [row] = await api.database.db
    .insert(batches)
    .values({
      id: newBatchId(),
      orgId: headers['x-gw-ims-org-id']!,
      sandboxName: headers['x-sandbox-name'] ?? 'prod',
      datasetId: seed.datasetId,
      jobId,
      segmentId: seed.segmentId ?? null,
      segmentNs: seed.segmentNs ?? null,
      status: seed.status ?? 'SUCCESS',
      recordCount: seed.recordCount ?? 0,
      ...(seed.createdAt ? { createdAt: seed.createdAt } : {}),
    })
    .returning();
  return row!;
}

/** A record as an export writes it: the profile projected onto the job's fields. */
export function sampleRecord(profileId: string, padding = ''): Record<string, unknown> {
  return {
    identities: [{ namespace: 'email', id: `${profileId}@example.com` }],
    personalEmail: { address: `${profileId}@example.com` },
    // A newline and a non-ASCII character inside a value must not break an NDJSON line.
    note: `line one\nline two, ünïcode${padding}`,
  };
}

/** Inserts records for `profileIds` into the batch, in multi-row statements; returns them by profile id. */
export async function insertRecords(
  api: TestServer,
  batchId: string,
  profileIds: string[],
  recordOf: (profileId: string) => Record<string, unknown> = sampleRecord,
): Promise<Map<string, Record<string, unknown>>> {
  const records = new Map(profileIds.map((profileId) => [profileId, recordOf(profileId)]));
  const rows = [...records].map(([profileId, record]) => ({ batchId, profileId, record }));
  for (let start = 0; start < rows.length; start += 1000) {
    await api.database.db.insert(batchRecords).values(rows.slice(start, start + 1000));
  }
  return records;
}

/** `count` distinct profile ids, some with characters a cursor must survive (`:`, non-ASCII). */
export function profileIds(count: number, prefix = 'profile'): string[] {
  return Array.from({ length: count }, (_, i) =>
    i % 10 === 3 ? `urn:ecid:${prefix}:${i}` : i % 10 === 7 ? `${prefix}-é-${i}` : `${prefix}-${String(i).padStart(5, '0')}`,
  );
}
