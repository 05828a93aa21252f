/**
 * `GET /files/{id}?expires=…&signature=…`: one result file's bytes, by a signed
 * link (src/files/downloadSignature.ts) and no header at all, so that a browser,
 * `curl -O` or a warehouse loader can fetch it. The signature is checked before
 * anything is looked up: a forged or expired link is 403 and learns nothing.
 * Served as stored (never `Content-Encoding`: the bytes must match the sha256),
 * with a strong ETag (the sha256), single byte ranges and If-None-Match.
 * Errors are GraphQL-shaped JSON bodies (`{"errors":[{message, extensions:{code}}]}`).
 *
 * With S3 storage no such link is issued (`downloadUrl` is presigned by S3), but
 * one issued before the switch still names a file by its id, whose row's storage
 * key is the object's key too: it is answered 307, to a presigned URL of the
 * object for the link's remaining time, so files copied into the bucket stay reachable.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { REQUEST_ID_HEADER, requestIdOf } from '../context';
import { currentRequestId } from '../logging/logContext';
import type { BatchFileRow } from '../db/schema';
import { ErrorCode, GatewayError, serviceUnavailable } from '../errors';
import { isTransientDatabaseError } from '../db/postgresErrors';
import { headersFor, HTTP_STATUS } from './httpStatus';
import { attachmentDisposition } from '../files/contentDisposition';
import { verifyDownload } from '../files/downloadSignature';
import type { StoredFile } from '../files/findStoredFile';
import { contentTypeOf, type Compression, type ExportFormat } from '../files/outputSpec';
import { describeError, type Logger } from '../logger';
import { cutWhenStalled } from './stalledResponse';

// `/files/{id}` or `/files/{id}/{name}`: the name is for the client's saved file only.
const PATH = /^\/files\/([^/]+)(?:\/[^/]+)?$/;

/** Whether `path` (without the query string) is served by `filesHandler`. */
export function isFilesPath(path: string): boolean {
  return PATH.test(path);
}

/** Where a byte range starts and ends, both included. */
interface ByteRange {
  start: number;
  end: number;
}

/**
 * Serves one request for a path `isFilesPath` accepts. The returned promise
 * never rejects: failures are answered (or, once streaming, end the response
 * abruptly so the client cannot take a partial file for a whole one) and logged.
 */
export function filesHandler(options: {
  signingKey: Buffer;
  /** The file row with this id, whether it expired, and where its bytes are; null when there is none. */
  findFile(id: string): Promise<StoredFile | null>;
  /** Counts the download against its tenant's request budget; throws RATE_LIMITED over it. */
  admit(file: BatchFileRow): Promise<void>;
  logger: Logger;
  /** The clock links expire by, in milliseconds; default `Date.now`. */
  now?: () => number;
  /** How long a download may move no byte before it is cut; default `STALLED_RESPONSE_MS`. */
  stalledAfterMs?: number;
}): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { signingKey, findFile, admit, logger, now = Date.now, stalledAfterMs } = options;

  return async (req, res) => {
    // The id its log lines carry (withLogContext, server.ts), sent back to the caller.
    res.setHeader(REQUEST_ID_HEADER, currentRequestId() ?? requestIdOf(req.headers));
    let handle: FileHandle | undefined;
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        sendError(res, 405, ApolloServerErrorCode.BAD_REQUEST, `${req.method ?? 'This method'} is not allowed; use GET`);
        return;
      }
      const url = req.url ?? '/';
      const queryAt = url.indexOf('?');
      const path = queryAt === -1 ? url : url.slice(0, queryAt);
      const query = queryAt === -1 ? '' : url.slice(queryAt + 1);
      const id = fileIdOf(path);
      const params = new URLSearchParams(query);
      const verdict = id === null ? 'forged' : verifyDownload(signingKey, id, params, now() / 1000);
      if (id === null || verdict !== 'valid') {
        // One answer for both: a link that is not ours must not learn whether it names a file.
        logger.info('Download link refused', { verdict, url: path });
        sendError(res, 403, ErrorCode.FORBIDDEN, 'This download link is not valid or has expired');
        return;
      }

      const found = await findFile(id);
      // A genuine link to no file: only a file that existed is ever signed, and only
      // expiry (RESULT_TTL_DAYS) deletes a listed file: its batch's results are gone.
      if (found === null || found.expired) {
        sendError(res, 410, ErrorCode.GONE, 'This file has expired and was deleted');
        return;
      }
      const { file } = found;
      // A link is anyone's who holds it: its downloads count against the tenant that owns the file.
      await admit(file);
      if (found.store === 's3') {
        // A valid link has exactly one integer `expires`, still ahead.
        const seconds = Math.max(1, Number(params.get('expires')) - Math.floor(now() / 1000));
        const location = await found.presignedUrl(req.method === 'HEAD' ? 'HEAD' : 'GET', seconds);
        res.writeHead(307, { location, 'cache-control': 'no-store' }).end();
        return;
      }

      // The size is checked on the open descriptor, and that one is streamed: a file replaced in between is never sent.
      const opened = await openUnlessSwept(found.path, () => findFile(id));
      if (opened === 'swept') {
        sendError(res, 410, ErrorCode.GONE, 'This file has expired and was deleted');
        return;
      }
      handle = opened;
      const stat = await handle.stat();
      if (!stat.isFile() || stat.size !== file.bytes) {
        throw new Error(`File ${file.id} at ${found.path} has ${stat.size} bytes on disk; its row says ${file.bytes}`);
      }

      // no-store: the files hold personal data; the download is the copy the client wants, and a
      // second one left in a browser's cache would outlive the link and the file's deletion.
      const validators = { etag: `"${file.sha256}"`, 'cache-control': 'no-store', 'accept-ranges': 'bytes' };
      if (matchesAny(req.headers['if-none-match'], file.sha256)) {
        res.writeHead(304, validators).end();
        return;
      }
      const range = requestedRange(req, validators.etag, file.bytes);
      if (range === 'unsatisfiable') {
        res.setHeader('content-range', `bytes */${file.bytes}`);
        sendError(res, 416, ApolloServerErrorCode.BAD_REQUEST, `The range is outside the file's ${file.bytes} bytes`);
        return;
      }
      const body = range ?? (file.bytes > 0 ? { start: 0, end: file.bytes - 1 } : null);
      // All headers at once: until here an error can still be answered as a clean 500.
      res.writeHead(range === null ? 200 : 206, {
        ...validators,
        'content-type': contentTypeOf({ format: file.format as ExportFormat, compression: file.compression as Compression }),
        'content-length': body === null ? 0 : body.end - body.start + 1,
        ...(range === null ? {} : { 'content-range': `bytes ${range.start}-${range.end}/${file.bytes}` }),
        'content-disposition': attachmentDisposition(file.name),
        'x-content-type-options': 'nosniff',
      });
      if (req.method === 'HEAD' || body === null) {
        res.end();
        return;
      }
      // pipeline waits for the socket to drain, and a client that goes away destroys the read;
      // one that stays but stops reading is cut, or it would hold the descriptor for ever.
      cutWhenStalled(res, stalledAfterMs);
      await pipeline(handle.createReadStream({ ...body, autoClose: false }), res);
    } catch (caught: unknown) {
      if (isClientGone(caught)) return;
      // The database gone for a moment is no fault of ours or the client's: 503, come back.
      const error = !res.headersSent && isTransientDatabaseError(caught) ? serviceUnavailable() : caught;
      if (error instanceof GatewayError && !res.headersSent) {
        for (const [name, value] of headersFor(error.code, error.extensions)) res.setHeader(name, value);
        sendError(res, HTTP_STATUS[error.code], error.code, error.message);
      } else if (res.headersSent) {
        logger.error('Streaming a file failed', { url: req.url?.split('?')[0], error: describeError(error) });
        res.destroy();
      } else {
        logger.error('Serving a file failed', { url: req.url?.split('?')[0], error: describeError(error) });
        sendError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
      }
    } finally {
      await handle?.close().catch((error: unknown) => logger.error('Closing a file failed', { error: describeError(error) }));
    }
  };
}

/**
 * Opens the file at `path`, or 'swept' when it is missing because the sweeper
 * took it since its row was read: the sweeper deletes the rows of an expired
 * batch first, then its files, so a row that is gone (or expired) when looked
 * up again says so. A file missing under a live row is the store's fault: thrown.
 */
async function openUnlessSwept(path: string, findAgain: () => Promise<StoredFile | null>): Promise<FileHandle | 'swept'> {
  try {
    return await open(path, 'r');
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const now = await findAgain();
    if (now === null || now.expired) return 'swept';
    throw error;
  }
}

/** The file id of the request path, or null for one that cannot be a file id. */
function fileIdOf(path: string): string | null {
  const encoded = PATH.exec(path)?.[1];
  if (encoded === undefined) return null;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return null; // Malformed percent-encoding: no link of ours is spelt so.
  }
}

/** Whether an If-None-Match list names this file (`*`, or its tag, weak or strong: RFC 9110 §13.1.2 compares weakly). */
function matchesAny(header: string | undefined, sha256: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === `"${sha256}"`);
}

/**
 * The one range a GET asks for, null for the whole file, or 'unsatisfiable'.
 * The whole file is sent for a HEAD, a Range that is malformed or asks for
 * several ranges, and an If-Range that is not this file's ETag (RFC 9110 §14.2, §13.1.5).
 */
function requestedRange(req: IncomingMessage, etag: string, size: number): ByteRange | 'unsatisfiable' | null {
  const header = req.headers.range;
  if (req.method !== 'GET' || header === undefined) return null;
  const ifRange = req.headers['if-range'];
  // A date, or another tag: the client's part may be of another file, so it gets the whole one.
  if (ifRange !== undefined && (typeof ifRange !== 'string' || ifRange.trim() !== etag)) return null;
  const spec = /^bytes=(\d*)-(\d*)$/i.exec(header.trim());
  if (!spec) return null;
  const [, first = '', last = ''] = spec;
  if (first === '') {
    if (last === '') return null;
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return null; // Not a range at all: ignored.
  if (!Number.isSafeInteger(start) || start >= size) return 'unsatisfiable';
  return { start, end };
}

/** A response the client stopped reading: nothing to answer or log. */
function isClientGone(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE';
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}
