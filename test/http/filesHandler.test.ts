/**
 * `GET /files/{id}` on a real HTTP server, with a real file on disk, fetched
 * with no header but what a browser or `curl` would send.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BatchFileRow } from '../../src/db/schema';
import { signDownloadPath } from '../../src/files/downloadSignature';
import { ErrorCode, GatewayError } from '../../src/errors';
import { filesHandler } from '../../src/http/filesHandler';
import type { Logger } from '../../src/logger';

const KEY = randomBytes(32);
const FILE_ID = 'bf_0001';
const NOW_MS = 1_800_000_000_000;
const NOW = NOW_MS / 1000;
// Bytes that gzip would not leave alone: a client that decoded them would not match the sha256.
const CONTENT = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), randomBytes(4096)]);
const SHA256 = createHash('sha256').update(CONTENT).digest('hex');

let dir: string;
let filePath: string;
let server: Server;
let origin: string;
let logged: { message: string; fields?: Record<string, unknown>; level: 'info' | 'warn' | 'error' }[] = [];
let handled: Promise<void>[] = [];

const logger: Logger = {
  info: (message, fields) => logged.push({ message, fields, level: 'info' }),
  warn: (message, fields) => logged.push({ message, fields, level: 'warn' }),
  error: (message, fields) => logged.push({ message, fields, level: 'error' }),
};

function rowOf(overrides: Partial<BatchFileRow> = {}): BatchFileRow {
  return {
    id: FILE_ID,
    batchId: 'batch-1',
    jobId: 1,
    orgId: 'ORG@AdobeOrg',
    sandboxName: 'prod',
    fileIndex: 0,
    name: 'part-00000.jsonl.gz',
    format: 'JSONL',
    compression: 'GZIP',
    records: 12,
    bytes: CONTENT.length,
    sha256: SHA256,
    storageKey: '1/batch-1/part-00000.jsonl.gz',
    createdAt: new Date(NOW_MS - 60_000),
    ...overrides,
  };
}

let row = rowOf();
let lookups: string[] = [];
let overBudget = false;
let expired = false;
/** The sweeper deletes the file's row and file right after the handler's first lookup. */
let sweptAfterLookup = false;

const linkTo = (id: string, expiresAt = NOW + 3600, key = KEY) => origin + signDownloadPath(key, id, expiresAt);

/** The handler over this file's row and file, with `stalledAfterMs` as given. */
function handlerServer(stalledAfterMs?: number): Server {
  const handle = filesHandler({
    signingKey: KEY,
    findFile: async (id) => {
      lookups.push(id);
      if (sweptAfterLookup && lookups.length > 1) return null;
      return id === FILE_ID ? { file: row, path: filePath, expired } : null;
    },
    admit: async (file) => {
      if (overBudget) throw new GatewayError(ErrorCode.RATE_LIMITED, `Tenant ${file.orgId} is over its request rate`, { retryAfter: 1 });
    },
    logger,
    now: () => NOW_MS,
    stalledAfterMs,
  });
  return createServer((req, res) => void handled.push(handle(req, res)));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-files-handler-'));
  filePath = join(dir, 'part-00000.jsonl.gz');
  server = handlerServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await writeFile(filePath, CONTENT);
  row = rowOf();
  logged = [];
  lookups = [];
  handled = [];
  overBudget = false;
  sweptAfterLookup = false;
});

afterEach(async () => {
  // The handler's promise never rejects, whatever happened.
  await expect(Promise.all(handled)).resolves.toBeDefined();
});

async function waitForRequest(arrived: () => boolean): Promise<void> {
  for (let waited = 0; !arrived(); waited += 10) {
    if (waited > 5000) throw new Error('The request never reached the handler');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const connectionsOf = (server: Server) =>
  new Promise<number>((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));

const bodyOf = async (response: Response) => Buffer.from(await response.arrayBuffer());
const headersOf = (response: Response, names: string[]) =>
  Object.fromEntries(names.map((name) => [name, response.headers.get(name)]));

describe('GET /files/{id} by a signed link', () => {
  it('sends the whole file as stored, with its type, length, strong ETag and attachment name', async () => {
    const response = await fetch(linkTo(FILE_ID), { headers: { 'x-request-id': 'dl-1' } });
    expect(response.status).toBe(200);
    const body = await bodyOf(response);
    expect(body.equals(CONTENT)).toBe(true);
    expect(createHash('sha256').update(body).digest('hex')).toBe(row.sha256);
    const expected = {
      'content-type': 'application/gzip',
      'content-length': String(CONTENT.length),
      etag: `"${SHA256}"`,
      'accept-ranges': 'bytes',
      'content-disposition': 'attachment; filename="part-00000.jsonl.gz"',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-request-id': 'dl-1',
    };
    expect(headersOf(response, Object.keys(expected))).toEqual(expected);
    expect(response.headers.get('content-encoding')).toBeNull();
  });

  it('serves each format with its own type', async () => {
    row = rowOf({ format: 'CSV', compression: 'NONE', name: 'part-00000.csv' });
    const response = await fetch(linkTo(FILE_ID));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="part-00000.csv"');
    await response.arrayBuffer();
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const response = await fetch(linkTo(FILE_ID), { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(CONTENT.length));
    expect(response.headers.get('etag')).toBe(`"${SHA256}"`);
    expect(response.headers.get('content-type')).toBe('application/gzip');
    expect((await bodyOf(response)).length).toBe(0);
  });

  it.each([
    ['bytes=2-5', 2, 5],
    ['bytes=-3', CONTENT.length - 3, CONTENT.length - 1],
    ['bytes=4-', 4, CONTENT.length - 1],
    ['bytes=10-999999', 10, CONTENT.length - 1],
    ['bytes=-999999', 0, CONTENT.length - 1],
  ])('sends the slice %s as 206 with its Content-Range', async (range, start, end) => {
    const response = await fetch(linkTo(FILE_ID), { headers: { range } });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(`bytes ${start}-${end}/${CONTENT.length}`);
    expect(response.headers.get('content-length')).toBe(String(end - start + 1));
    expect((await bodyOf(response)).equals(CONTENT.subarray(start, end + 1))).toBe(true);
  });

  it.each(['bytes=999999-', `bytes=${CONTENT.length}-`, 'bytes=-0'])(
    'answers 416 with the size for the range %s, which lies outside the file',
    async (range) => {
      const response = await fetch(linkTo(FILE_ID), { headers: { range } });
      expect(response.status).toBe(416);
      expect(response.headers.get('content-range')).toBe(`bytes */${CONTENT.length}`);
      expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
    },
  );

  it.each(['bytes=0-1,4-5', 'bytes=5-2', 'lines=0-1', 'bytes=a-b'])(
    'sends the whole file for the range %s, which is several ranges or none it understands',
    async (range) => {
      const response = await fetch(linkTo(FILE_ID), { headers: { range } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-range')).toBeNull();
      expect((await bodyOf(response)).equals(CONTENT)).toBe(true);
    },
  );

  it('honours a range under If-Range with the file ETag, and sends the whole file under another', async () => {
    const matching = await fetch(linkTo(FILE_ID), { headers: { range: 'bytes=2-5', 'if-range': `"${SHA256}"` } });
    expect(matching.status).toBe(206);
    expect((await bodyOf(matching)).equals(CONTENT.subarray(2, 6))).toBe(true);

    for (const ifRange of [`"${'0'.repeat(64)}"`, `W/"${SHA256}"`, new Date(NOW_MS).toUTCString()]) {
      const other = await fetch(linkTo(FILE_ID), { headers: { range: 'bytes=2-5', 'if-range': ifRange } });
      expect(other.status).toBe(200);
      expect((await bodyOf(other)).equals(CONTENT)).toBe(true);
    }
  });

  it('answers 429 with Retry-After once the file\'s tenant is over its request rate, and sends nothing of the file', async () => {
    overBudget = true;
    const response = await fetch(linkTo(FILE_ID));
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(((await response.json()) as any).errors[0].extensions.code).toBe('RATE_LIMITED');
  });

  it('answers 304 without a body to If-None-Match with the file ETag', async () => {
    for (const ifNoneMatch of [`"${SHA256}"`, `"other", W/"${SHA256}"`, '*']) {
      const response = await fetch(linkTo(FILE_ID), { headers: { 'if-none-match': ifNoneMatch } });
      expect(response.status).toBe(304);
      expect(response.headers.get('etag')).toBe(`"${SHA256}"`);
      expect((await bodyOf(response)).length).toBe(0);
    }
    const changed = await fetch(linkTo(FILE_ID), { headers: { 'if-none-match': `"${'0'.repeat(64)}"` } });
    expect(changed.status).toBe(200);
    await changed.arrayBuffer();
  });

  it('answers 403 with one body to a forged link, whether its file exists or not, and looks nothing up', async () => {
    const forge = (id: string) => {
      const url = new URL(linkTo(id));
      const signature = url.searchParams.get('signature')!;
      url.searchParams.set('signature', (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1));
      return url;
    };
    const existing = await fetch(forge(FILE_ID));
    const missing = await fetch(forge('bf_9999'));
    expect(existing.status).toBe(403);
    expect(missing.status).toBe(403);
    const body = await existing.text();
    expect(await missing.text()).toBe(body);
    expect(JSON.parse(body)).toEqual({
      errors: [{ message: 'This download link is not valid or has expired', extensions: { code: 'FORBIDDEN' } }],
    });
    expect(lookups).toEqual([]);
  });

  it('answers 403 with the same body to a link signed with another key, or with no signature', async () => {
    const reference = await (await fetch(new URL(linkTo(FILE_ID, NOW + 60, randomBytes(32))))).text();
    const unsigned = await fetch(`${origin}/files/${FILE_ID}`);
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toBe(reference);
    expect(lookups).toEqual([]);
  });

  it('answers 403 with the same body to a genuine link past its expiry', async () => {
    const forged = await (await fetch(`${origin}/files/${FILE_ID}?expires=${NOW + 60}&signature=x`)).text();
    const response = await fetch(linkTo(FILE_ID, NOW - 1));
    expect(response.status).toBe(403);
    expect(await response.text()).toBe(forged);
    expect(lookups).toEqual([]);
  });

  it('answers 410 to a genuine link whose file no longer has a row (its results expired and were swept)', async () => {
    const response = await fetch(linkTo('bf_deleted'));
    expect(response.status).toBe(410);
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'GONE' } }] });
    expect(lookups).toEqual(['bf_deleted']);
  });

  it('answers 410 to a genuine link whose batch is past its expiry, before the sweeper removed the file', async () => {
    expired = true;
    try {
      const response = await fetch(linkTo(FILE_ID));
      expect(response.status).toBe(410);
      expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'GONE' } }] });
    } finally {
      expired = false;
    }
  });

  it.each(['POST', 'PUT', 'DELETE'])('answers 405 to %s, naming the methods it allows', async (method) => {
    const response = await fetch(linkTo(FILE_ID), { method });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('answers 500 without details, and logs why, when the file is gone from disk', async () => {
    await rm(filePath);
    const response = await fetch(linkTo(FILE_ID));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
    });
    expect(response.headers.get('etag')).toBeNull();
    expect(logged.filter((line) => line.level === 'error').map((line) => line.fields?.error)).toEqual([
      expect.stringContaining('ENOENT'),
    ]);
  });

  it('answers 410 when the sweeper deletes the file between its lookup and its read, and logs no error', async () => {
    sweptAfterLookup = true;
    await rm(filePath);
    const response = await fetch(linkTo(FILE_ID));
    expect(response.status).toBe(410);
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'GONE' } }] });
    expect(lookups).toEqual([FILE_ID, FILE_ID]);
    expect(logged.filter((line) => line.level === 'error')).toEqual([]);
  });

  it('answers 500 rather than send a file whose size is not the recorded one', async () => {
    await writeFile(filePath, Buffer.concat([CONTENT, Buffer.from('tail')]));
    const response = await fetch(linkTo(FILE_ID));
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    expect(logged.filter((line) => line.level === 'error')).toHaveLength(1);
  });

  it('stops reading when the client goes away mid-download, and logs no error', async () => {
    const big = randomBytes(32 * 1024 * 1024);
    await writeFile(filePath, big);
    row = rowOf({ bytes: big.length, sha256: createHash('sha256').update(big).digest('hex') });
    const abort = new AbortController();
    const response = await fetch(linkTo(FILE_ID), { signal: abort.signal });
    const reader = response.body!.getReader();
    await reader.read();
    abort.abort();
    // The handler resolves only once its read has ended: a read left running would keep it pending.
    await expect(Promise.race([Promise.all(handled), new Promise((r) => setTimeout(r, 5000, 'pending'))])).resolves.not.toBe(
      'pending',
    );
    expect(logged.filter((line) => line.level === 'error')).toEqual([]);
  });

  it('cuts a download whose client stays connected but stops reading, and closes the file', async () => {
    // Far more than the sockets' buffers hold on loopback, so the server's writes must wait.
    const big = randomBytes(32 * 1024 * 1024);
    await writeFile(filePath, big);
    row = rowOf({ bytes: big.length, sha256: createHash('sha256').update(big).digest('hex') });
    const stallingServer = handlerServer(300);
    await new Promise<void>((resolve) => stallingServer.listen(0, '127.0.0.1', resolve));
    const client = connect((stallingServer.address() as AddressInfo).port, '127.0.0.1');
    try {
      const link = new URL(linkTo(FILE_ID));
      // A raw socket that never reads past its first buffer: no 'data' listener, never resumed.
      client.write(`GET ${link.pathname}${link.search} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`);
      await waitForRequest(() => handled.length === 1);
      // The handler settles once its read has ended and the file is closed; the client's socket
      // never learns of it (the server's FIN waits behind the bytes it does not read).
      const outcome = await Promise.race([
        Promise.all(handled).then(() => 'cut'),
        new Promise((resolve) => setTimeout(resolve, 10_000, 'still streaming')),
      ]);
      expect(outcome).toBe('cut');
      expect(await connectionsOf(stallingServer)).toBe(0);
      expect(logged.filter((line) => line.level === 'error')).toEqual([]);
    } finally {
      client.destroy();
      stallingServer.closeAllConnections();
      await new Promise<void>((resolve) => stallingServer.close(() => resolve()));
    }
  });
});
