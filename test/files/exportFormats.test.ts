/**
 * Parquet (every column codec) and zstd-wrapped JSON Lines and CSV, exported
 * through the real server and read back with readers that share no code with
 * the writers: parquet-wasm (Apache arrow-rs's Parquet reader) through
 * apache-arrow for files written by hyparquet-writer, and fzstd (a JavaScript
 * decoder) for frames written by zstd's C library in WebAssembly.
 */
import { createHash } from 'node:crypto';
import { tableFromIPC } from 'apache-arrow';
import { parse } from 'csv-parse/sync';
import { decompress } from 'fzstd';
import { Compression as ParquetCodec, ParquetFile, readParquet } from 'parquet-wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { AWKWARD_PROFILES, dottedLeaves, download, exportProfiles, type ListedFile } from '../helpers/resultFiles';
import { ingest, startExport, waitForJob } from '../helpers/exportFlow';
import { startTestServer, type TestServer } from '../helpers/testServer';

let tenants = 0;
const freshTenant = () => ({ 'x-gw-ims-org-id': `ORG_FORMATS_${++tenants}@AdobeOrg` });

/** AWKWARD_PROFILES' columns in file order (profileId first, then code-unit order) and the types their values give. */
const PARQUET_COLUMNS = {
  profileId: 'STRING',
  code: 'JSON', // 'A-1' and 12
  identities: 'JSON',
  note: 'STRING',
  'person.name.firstName': 'STRING',
  'person.name.lastName': 'STRING',
  rating: 'DOUBLE', // 4 and 4.5
  score: 'INT64', // 7 and null
  tags: 'JSON',
  vip: 'BOOLEAN',
} as const;
const ARROW_TYPES = { STRING: 'Utf8', JSON: 'Utf8', DOUBLE: 'Float64', INT64: 'Int64', BOOLEAN: 'Bool' } as const;

/** What a Parquet row must hold for a record: each column's leaf, null when absent. */
function expectedRow(record: Record<string, unknown>): Record<string, unknown> {
  const leaves = dottedLeaves(record);
  return Object.fromEntries(Object.keys(PARQUET_COLUMNS).map((name) => [name, leaves.get(name) ?? null]));
}

/** A row as Arrow gives it, in JSON terms: INT64 as a number, JSON columns parsed. */
function readRow(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(PARQUET_COLUMNS).map(([name, type]) => {
      const value = row[name] ?? null;
      if (value === null) return [name, null];
      if (type === 'INT64') return [name, Number(value as bigint)];
      if (type === 'JSON') return [name, JSON.parse(value as string)];
      return [name, value];
    }),
  );
}

/** A downloaded file's body, after checking its status, headers, size and sha256 against the listing. */
async function downloaded(file: ListedFile, contentType: string): Promise<Buffer> {
  const { response, body } = await download(file.downloadUrl);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe(contentType);
  expect(response.headers.get('content-encoding')).toBeNull();
  expect(body.length).toBe(file.bytes);
  expect(createHash('sha256').update(body).digest('hex')).toBe(file.sha256);
  return body;
}

describe.each(storageTargets)('export formats on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target, { concurrency: 1, chunkSize: 2 });
  });
  afterAll(() => api?.close());

  it.each([
    ['NONE', 'UNCOMPRESSED'],
    ['SNAPPY', 'SNAPPY'],
    ['GZIP', 'GZIP'],
    ['ZSTD', 'ZSTD'],
  ] as const)('writes Parquet with %s columns that an independent reader reads back as the batch records', async (compression, codec) => {
    const { files, records } = await exportProfiles(
      api,
      AWKWARD_PROFILES,
      { format: 'PARQUET', compression, maxRecordsPerFile: 3 },
      freshTenant(),
    );
    expect(files.map((file) => [file.name, file.records, file.format, file.compression])).toEqual([
      ['part-00000.parquet', 3, 'PARQUET', compression],
      ['part-00001.parquet', 2, 'PARQUET', compression],
    ]);
    const rows: Record<string, unknown>[] = [];
    for (const file of files) {
      const body = await downloaded(file, 'application/vnd.apache.parquet');
      const metadata = (await ParquetFile.fromFile(new Blob([new Uint8Array(body)]))).metadata();
      expect(metadata.fileMetadata().numRows()).toBe(file.records);
      // No version, time or id of the run in the footer: nothing that would differ on a rerun.
      expect(metadata.fileMetadata().createdBy()).toBe('hyparquet-writer');
      expect(metadata.fileMetadata().keyValueMetadata().size).toBe(0);
      const codecs = metadata.rowGroups().flatMap((group) => group.columns().map((column) => ParquetCodec[column.compression()]));
      expect(new Set(codecs)).toEqual(new Set([codec]));

      const table = tableFromIPC(readParquet(body).intoIPCStream());
      expect(table.schema.fields.map((field) => [field.name, String(field.type)])).toEqual(
        Object.entries(PARQUET_COLUMNS).map(([name, type]) => [name, ARROW_TYPES[type]]),
      );
      rows.push(...table.toArray().map((row) => row.toJSON() as Record<string, unknown>));
    }
    expect(rows.map(readRow)).toEqual(records.map(expectedRow));
    // The awkward values came through as themselves.
    expect(rows[0]).toMatchObject({ 'person.name.firstName': 'Zoë 🌍', 'person.name.lastName': '', score: 7n, tags: '["a","b,c"]' });
    expect(rows[1]).toMatchObject({ 'person.name.firstName': '山田 "Taro"', 'person.name.lastName': null, rating: 4.5, code: '"A-1"' });
    expect(rows[3]).toMatchObject({ score: null, vip: false });
    expect(rows[4]).toMatchObject({ note: '', 'person.name.firstName': null });
  });

  it('wraps JSON Lines in zstd frames that an independent decoder reads back as the batch records', async () => {
    const { files, records } = await exportProfiles(api, AWKWARD_PROFILES, { format: 'JSONL', compression: 'ZSTD', maxRecordsPerFile: 2 }, freshTenant());
    expect(files.map((file) => [file.name, file.records, file.compression])).toEqual([
      ['part-00000.jsonl.zst', 2, 'ZSTD'],
      ['part-00001.jsonl.zst', 2, 'ZSTD'],
      ['part-00002.jsonl.zst', 1, 'ZSTD'],
    ]);
    const lines: unknown[] = [];
    for (const file of files) {
      const body = await downloaded(file, 'application/zstd');
      const text = Buffer.from(decompress(body)).toString('utf8');
      expect(text.endsWith('\n')).toBe(true);
      lines.push(...text.trimEnd().split('\n').map((line) => JSON.parse(line)));
    }
    expect(lines).toEqual(records);
  });

  it('wraps CSV in zstd frames that an independent decoder and csv-parse read back', async () => {
    const { files, records } = await exportProfiles(api, AWKWARD_PROFILES, { format: 'CSV', compression: 'ZSTD' }, freshTenant());
    expect(files.map((file) => file.name)).toEqual(['part-00000.csv.zst']);
    const body = await downloaded(files[0]!, 'application/zstd');
    const rows = parse(Buffer.from(decompress(body)), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual(Object.keys(PARQUET_COLUMNS)); // the same columns as Parquet's
    expect(rows.map((row) => row.profileId)).toEqual(records.map((record) => record.profileId));
    expect(rows[0]!['person.name.firstName']).toBe('Zoë 🌍');
    expect(rows[1]!.note).toBe('line one\nline two');
    expect(JSON.parse(rows[2]!.identities!)).toEqual([{ namespace: 'crmId', id: 'C-3' }]);
  });

  it.each([
    [{ format: 'PARQUET', compression: 'ZSTD', maxRecordsPerFile: 3 }],
    [{ format: 'PARQUET', compression: 'SNAPPY' }],
    [{ format: 'JSONL', compression: 'ZSTD', maxRecordsPerFile: 2 }],
    [{ format: 'CSV', compression: 'ZSTD' }],
  ])('writes byte-identical files for the same records: %o', async (output) => {
    const first = await exportProfiles(api, AWKWARD_PROFILES, output, freshTenant());
    const second = await exportProfiles(api, AWKWARD_PROFILES, output, freshTenant());
    expect(second.batchId).not.toBe(first.batchId);
    const facts = ({ files }: { files: ListedFile[] }) => files.map(({ name, records, bytes, sha256 }) => ({ name, records, bytes, sha256 }));
    expect(facts(second)).toEqual(facts(first));
  });

  it('writes a field whose own name holds a dot into a column of its own, beside the nested field of that name', async () => {
    const profiles = [{ profileId: 'dots', attributes: { 'utm.source': 'flat', utm: { source: 'nested' } } }];
    const { files } = await exportProfiles(api, profiles, { format: 'CSV', compression: 'NONE' }, freshTenant());
    const [header, row] = parse((await download(files[0]!.downloadUrl)).body, { columns: false }) as string[][];
    const columns = Object.fromEntries(header!.map((name, i) => [name, row![i]]));
    expect(columns).toMatchObject({ 'utm.source': 'nested', 'utm\\.source': 'flat' });
  });

  it.each(['CSV', 'PARQUET'])('fails a %s export whose records have more columns than the format allows, telling its owner why', async (format) => {
    const headers = freshTenant();
    const wide = Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`c${i}`, i]));
    await ingest(api, [{ profileId: 'wide', attributes: wide }], headers);
    const { jobId } = await startExport(api, { output: { format, compression: 'GZIP' } }, headers);
    expect((await waitForJob(api, jobId, undefined, headers)).status).toBe('FAILED');
    const response = await api.graphql(`{ exportJob(id: "${jobId}") { errors { code msg } } }`, {}, headers);
    expect(response.data!.exportJob.errors).toEqual([
      {
        code: 'EXPORT_OUTPUT_UNWRITABLE',
        msg: `The records have more than 10000 distinct ${format === 'CSV' ? 'CSV' : 'Parquet'} columns (flattened fields); export them as JSONL; its partial data was removed`,
      },
    ]);
  });

  it.each(['JSONL', 'CSV'])('refuses %s wrapped in Snappy at create time, saying why', async (format) => {
    const response = await api.graphql(
      /* GraphQL */ `mutation($input: CreateExportJobInput!) { createExportJob(input: $input) { id } }`,
      {
        input: {
          destination: { datasetId: 'none-needed' },
          schema: { name: '_xdm.context.profile' },
          output: { format, compression: 'SNAPPY' },
        },
      },
      freshTenant(),
    );
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'output.compression' });
    expect(response.errors?.[0]?.message).toMatch(/Snappy.*use ZSTD or GZIP, or PARQUET/);
  });
});
