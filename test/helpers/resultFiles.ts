/**
 * Result-file tests' steps: a fixture of awkward profiles, an export of it
 * through the real server, its batch's files as GraphQL lists them, and a
 * download by link with no header of ours (as a browser or `curl -O`).
 */
import { expect } from 'vitest';
import { ingest, recordsOf, startExport, waitForJob, type ProfileSpec } from './exportFlow';
import type { TestServer } from './testServer';

/**
 * Nested objects, arrays, unicode (emoji, CJK, a combining accent), empty
 * strings, absent fields, nulls, an empty object, CSV's special characters,
 * and for typed columns: integers, a fraction among integers, booleans, and a
 * field that is a string in one profile and a number in another.
 */
export const AWKWARD_PROFILES: ProfileSpec[] = [
  {
    profileId: 'p1',
    identities: [{ namespace: 'email', id: 'zoë@example.com' }],
    attributes: { person: { name: { firstName: 'Zoë 🌍', lastName: '' } }, tags: ['a', 'b,c'], score: 7, rating: 4 },
  },
  {
    profileId: 'p2',
    identities: [{ namespace: 'ecid', id: '42' }],
    attributes: { person: { name: { firstName: '山田 "Taro"' } }, note: 'line one\nline two', vip: true, rating: 4.5, code: 'A-1' },
  },
  { profileId: 'p3', identities: [{ namespace: 'crmId', id: 'C-3' }], attributes: { tags: [], empty: {}, code: 12 } },
  { profileId: 'p4', identities: [{ namespace: 'email', id: 'e\u0301@example.com' }], attributes: { score: null, vip: false } },
  { profileId: 'p5', identities: [{ namespace: 'email', id: 'five@example.com' }], attributes: { person: {}, note: '' } },
];

export const BATCH_FILES = /* GraphQL */ `
  query BatchFiles($id: ID!) {
    batch(id: $id) {
      id status recordCount manifest
      files { id name format compression records bytes sha256 downloadUrl }
    }
  }
`;

export interface ListedFile {
  id: string;
  name: string;
  format: string;
  compression: string;
  records: number;
  bytes: number;
  sha256: string;
  downloadUrl: string;
}

/**
 * Loads `profiles` for `headers`' tenant, exports them with `output`, waits
 * for SUCCEEDED; answers the batch's files and records (as `batch_records`
 * holds them, by profileId).
 */
export async function exportProfiles(
  api: TestServer,
  profiles: ProfileSpec[],
  output: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<{ jobId: string; batchId: string; files: ListedFile[]; records: Record<string, any>[] }> {
  await ingest(api, profiles, headers);
  const { jobId } = await startExport(api, { output }, headers);
  const job = await waitForJob(api, jobId, undefined, headers);
  expect(job.status).toBe('SUCCEEDED');
  const batchId = job.destination.batchId as string;
  const response = await api.graphql(BATCH_FILES, { id: batchId }, headers);
  expect(response.errors).toBeUndefined();
  return { jobId, batchId, files: response.data!.batch.files as ListedFile[], records: await recordsOf(api, batchId) };
}

/** Downloads a link as a browser or `curl -O` would: no header of ours. */
export async function download(url: string): Promise<{ response: Response; body: Buffer }> {
  const response = await fetch(url);
  return { response, body: Buffer.from(await response.arrayBuffer()) };
}

/**
 * A record's leaves by dotted name, worked out here apart from the writer's
 * code: objects recurse, anything else (arrays too) is a leaf, `{}` is none; a
 * dot or backslash within a key is escaped with a backslash.
 */
export function dottedLeaves(record: Record<string, unknown>, prefix = ''): Map<string, unknown> {
  const leaves = new Map<string, unknown>();
  for (const [key, value] of Object.entries(record)) {
    const name = prefix + key.replaceAll('\\', '\\\\').replaceAll('.', '\\.');
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [leafName, leaf] of dottedLeaves(value as Record<string, unknown>, `${name}.`)) leaves.set(leafName, leaf);
    } else {
      leaves.set(name, value);
    }
  }
  return leaves;
}
