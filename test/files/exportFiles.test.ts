/**
 * An export ends with real files: each batch's records written as JSON Lines
 * or CSV, split, checksummed, listed on the batch with a manifest, and
 * downloadable by a signed link without any header — read back here with
 * independent readers (Node's zlib, csv-parse) and compared with the records.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { ingest, recordsOf, startExport, waitForJob, type ProfileSpec } from '../helpers/exportFlow';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { testFilesDir } from '../helpers/testFiles';

let tenants = 0;
const freshTenant = () => ({ 'x-gw-ims-org-id': `ORG_FILES_${++tenants}@AdobeOrg` });

// Nested objects, arrays, unicode, empty strings, absent fields, CSV's special characters.
const PROFILES: ProfileSpec[] = [
  {
    profileId: 'p1',
    identities: [{ namespace: 'email', id: 'zoë@example.com' }],
    attributes: { person: { name: { firstName: 'Zoë 🌍', lastName: '' } }, tags: ['a', 'b,c'], score: 7 },
  },
  {
    profileId: 'p2',
    identities: [{ namespace: 'ecid', id: '42' }],
    attributes: { person: { name: { firstName: '山田 "Taro"' } }, note: 'line one\nline two', vip: true },
  },
  { profileId: 'p3', identities: [{ namespace: 'crmId', id: 'C-3' }], attributes: { tags: [], empty: {} } },
  { profileId: 'p4', identities: [{ namespace: 'email', id: 'e\u0301@example.com' }], attributes: { score: null } },
  { profileId: 'p5', identities: [{ namespace: 'email', id: 'five@example.com' }], attributes: { person: {} } },
];

const BATCH_FILES = /* GraphQL */ `
  query BatchFiles($id: ID!, $expires: Int) {
    batch(id: $id) {
      id status recordCount manifest
      files { id name format compression records bytes sha256 downloadUrl(expiresInSeconds: $expires) }
    }
  }
`;

const JOB_OUTPUT = /* GraphQL */ `
  query JobOutput($id: ID!) {
    exportJob(id: $id) {
      output { format compression maxRecordsPerFile }
      metrics { profileExportTime { startTime endTime } datasetWriteTime { startTime endTime totalTimeInMs } }
    }
  }
`;

describe.each(storageTargets)('result files on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target, { concurrency: 1, chunkSize: 2 });
  });
  afterAll(() => api?.close());

  async function exportWith(output: Record<string, unknown> | undefined) {
    const headers = freshTenant();
    await ingest(api, PROFILES, headers);
    const { jobId } = await startExport(api, output ? { output } : {}, headers);
    const job = await waitForJob(api, jobId, undefined, headers);
    expect(job.status).toBe('SUCCEEDED');
    const batchId = job.destination.batchId as string;
    const response = await api.graphql(BATCH_FILES, { id: batchId }, headers);
    expect(response.errors).toBeUndefined();
    return { jobId, batchId, headers, batch: response.data!.batch, records: await recordsOf(api, batchId) };
  }

  /** Downloads a link as a browser or `curl -O` would: no header of ours. */
  async function download(url: string, init: RequestInit = {}) {
    const response = await fetch(url, init);
    return { response, body: Buffer.from(await response.arrayBuffer()) };
  }

  it('writes JSON Lines with gzip by default, split by maxRecordsPerFile, each file downloadable without headers', async () => {
    const { jobId, batchId, headers, batch, records } = await exportWith({ maxRecordsPerFile: 2 });
    const shown = await api.graphql(JOB_OUTPUT, { id: jobId }, headers);
    expect(shown.data!.exportJob.output).toEqual({ format: 'JSONL', compression: 'GZIP', maxRecordsPerFile: 2 });

    expect(batch.files.map((file: any) => [file.name, file.records, file.format, file.compression])).toEqual([
      ['part-00000.jsonl.gz', 2, 'JSONL', 'GZIP'],
      ['part-00001.jsonl.gz', 2, 'JSONL', 'GZIP'],
      ['part-00002.jsonl.gz', 1, 'JSONL', 'GZIP'],
    ]);
    const lines: unknown[] = [];
    for (const file of batch.files) {
      expect(new URL(file.downloadUrl).origin).toBe(new URL(api.server.url).origin);
      const { response, body } = await download(file.downloadUrl);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/gzip');
      expect(response.headers.get('content-encoding')).toBeNull();
      expect(body.length).toBe(file.bytes);
      expect(createHash('sha256').update(body).digest('hex')).toBe(file.sha256);
      const text = gunzipSync(body).toString('utf8');
      expect(text.endsWith('\n')).toBe(true);
      lines.push(...text.trimEnd().split('\n').map((line) => JSON.parse(line)));
    }
    // Every record once, in profile id order, as batch.records holds it.
    expect(lines).toEqual(records);
    expect(lines).toHaveLength(PROFILES.length);

    // The manifest: the same facts, also as manifest.json beside the files.
    expect(batch.manifest).toEqual({
      batchId,
      datasetId: expect.any(String),
      jobId,
      format: 'JSONL',
      compression: 'GZIP',
      records: 5,
      files: batch.files.map(({ name, records: n, bytes, sha256 }: any) => ({ name, records: n, bytes, sha256 })),
    });
    const onDisk = JSON.parse(await readFile(join(testFilesDir(), jobId, batchId, 'manifest.json'), 'utf8'));
    expect(onDisk).toEqual(batch.manifest);
  });

  it('writes CSV with a header of dotted columns, arrays as JSON text, empty strings apart from absent fields', async () => {
    const { batch, records } = await exportWith({ format: 'CSV', compression: 'NONE' });
    expect(batch.files).toHaveLength(1);
    const [file] = batch.files;
    expect(file.name).toBe('part-00000.csv');
    const { response, body } = await download(file.downloadUrl);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(createHash('sha256').update(body).digest('hex')).toBe(file.sha256);
    const rows = parse(body, { columns: true, relax_column_count: false }) as Record<string, string>[];
    expect(rows.map((row) => row.profileId)).toEqual(records.map((record) => record.profileId));
    const [p1, p2, p3] = rows;
    expect(p1!['person.name.firstName']).toBe('Zoë 🌍');
    expect(p1!['tags']).toBe('["a","b,c"]');
    expect(p1!['score']).toBe('7');
    expect(p2!['person.name.firstName']).toBe('山田 "Taro"');
    expect(p2!['note']).toBe('line one\nline two');
    expect(p2!['vip']).toBe('true');
    expect(JSON.parse(p3!['identities']!)).toEqual([{ namespace: 'crmId', id: 'C-3' }]);
    // An empty string is quoted, an absent field is not: a reader that looks at quotes tells them apart.
    const marked = parse(body, {
      columns: true,
      cast: (value, context) => (context.quoting && value === '' ? '<empty string>' : value),
    }) as Record<string, string>[];
    expect(marked[0]!['person.name.lastName']).toBe('<empty string>');
    expect(marked[1]!['person.name.lastName']).toBe('');
    expect(marked[2]!['person.name.firstName']).toBe('');
  });

  it('measures the dataset write apart from the profile export', async () => {
    const { jobId, headers } = await exportWith(undefined);
    const { metrics } = (await api.graphql(JOB_OUTPUT, { id: jobId }, headers)).data!.exportJob;
    const write = metrics.datasetWriteTime;
    expect(Date.parse(write.endTime)).toBeGreaterThanOrEqual(Date.parse(write.startTime));
    expect(write.totalTimeInMs).toBe(Date.parse(write.endTime) - Date.parse(write.startTime));
    expect(Date.parse(metrics.datasetWriteTime.startTime)).toBeGreaterThanOrEqual(Date.parse(metrics.profileExportTime.endTime));
  });

  it('counts the dataset write as the last tenth of progress.percent, by records in files', async () => {
    const { jobId, headers } = await exportWith(undefined);
    const percentWhen = async (state: { status: string; written: number; writing: boolean }) => {
      // Leased to no runner of this server for an hour: the runner must not take the job back up.
      await api.database.db.execute(sql`
        update export_jobs set status = ${state.status}, written_records = ${state.written},
          dataset_write_started_at = ${state.writing ? sql`now()` : null},
          locked_by = 'a runner elsewhere', locked_until = now() + interval '1 hour'
        where id = ${Number(jobId)}`);
      const response = await api.graphql('query ($id: ID!) { exportJob(id: $id) { progress { percent } } }', { id: jobId }, headers);
      return response.data!.exportJob.progress.percent as number;
    };
    // Five profiles exported, all read: the export's 90; then the files' tenth, record by record.
    expect(await percentWhen({ status: 'PROCESSING', written: 0, writing: false })).toBe(90);
    expect(await percentWhen({ status: 'PROCESSING', written: 0, writing: true })).toBe(90);
    expect(await percentWhen({ status: 'PROCESSING', written: 2, writing: true })).toBe(94);
    expect(await percentWhen({ status: 'PROCESSING', written: 5, writing: true })).toBe(100);
    expect(await percentWhen({ status: 'SUCCEEDED', written: 5, writing: true })).toBe(100);
  });

  it('refuses an output this build cannot write, and a file size out of bounds', async () => {
    const headers = freshTenant();
    for (const [output, field] of [
      [{ format: 'JSONL', compression: 'SNAPPY' }, 'output.compression'],
      [{ format: 'CSV', compression: 'SNAPPY' }, 'output.compression'],
      [{ maxRecordsPerFile: 0 }, 'output.maxRecordsPerFile'],
      [{ maxRecordsPerFile: 10_000_001 }, 'output.maxRecordsPerFile'],
    ] as const) {
      const response = await api.graphql(
        /* GraphQL */ `mutation($input: CreateExportJobInput!) { createExportJob(input: $input) { id } }`,
        {
          input: {
            destination: { datasetId: 'none-needed' },
            schema: { name: '_xdm.context.profile' },
            output,
          },
        },
        headers,
      );
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });

  it('refuses a changed, expired or out-of-bounds link', async () => {
    const { batchId, headers, batch } = await exportWith({ compression: 'NONE' });
    const url = new URL(batch.files[0].downloadUrl);
    const forged = new URL(url);
    forged.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
    expect((await download(forged.toString())).response.status).toBe(403);
    const expiring = await api.graphql(BATCH_FILES, { id: batchId, expires: 1 }, headers);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect((await download(expiring.data!.batch.files[0].downloadUrl)).response.status).toBe(403);
    const tooLong = await api.graphql(BATCH_FILES, { id: batchId, expires: 8 * 24 * 3600 }, headers);
    expect(tooLong.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // Another tenant cannot list the batch's files at all.
    const other = await api.graphql(BATCH_FILES, { id: batchId }, freshTenant());
    expect(other.data?.batch).toBeNull();
  });
});
