/**
 * `GET /data/batches/{batchId}/records`: a batch's records as NDJSON, one JSON
 * object a line, streamed chunk by chunk. Same tenant headers as `/graphql`;
 * errors are GraphQL-shaped JSON bodies (`{"errors":[{message, extensions:{code}}]}`)
 * with an HTTP status: 401 without an organisation, 404 for a batch that does
 * not exist or belongs to another tenant, 409 for one its job is still writing,
 * 410 for one whose results expired or whose job was cancelled or failed. A
 * batch that becomes so while it is streamed has its response cut, not ended: a
 * clean end would pass a part for the whole.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { batchRecordTexts } from '../batches/batchRecordTexts';
import { holdsRecords } from '../batches/holdsRecords';
import { findBatch } from '../batches/findBatch';
import { hasExpired } from '../batches/resultExpiry';
import type { Authenticator } from '../auth/authenticator';
import type { TenantRateLimiter } from '../limits/tenantRateLimiter';
import { REQUEST_ID_HEADER, requestIdOf } from '../context';
import { currentRequestId } from '../logging/logContext';
import type { AppDatabase } from '../db/database';
import { ErrorCode, GatewayError, notFound, serviceUnavailable } from '../errors';
import { isTransientDatabaseError } from '../db/postgresErrors';
import { headersFor, HTTP_STATUS } from './httpStatus';
import { cutWhenStalled } from './stalledResponse';
import { describeError, type Logger } from '../logger';
import { couldBeStoredKey } from '../profiles/storable';

const PATH = /^\/data\/batches\/([^/]+)\/records$/;

/** Whether `path` (without the query string) is served by `batchRecordsHandler`. */
export function isBatchRecordsPath(path: string | undefined): boolean {
  return path !== undefined && PATH.test(path);
}

/**
 * Serves one request for a path `isBatchRecordsPath` accepts. The returned
 * promise never rejects: failures are answered (or, once streaming, end the
 * response abruptly so the client cannot take a partial file for a whole one)
 * and logged.
 */
export function batchRecordsHandler(
  db: AppDatabase,
  authenticator: Authenticator,
  rateLimiter: TenantRateLimiter,
  logger: Logger,
  /** How long the client may read nothing before the response is cut (tests shorten it). */
  stalledAfterMs?: number,
) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // The id its log lines carry (withLogContext, server.ts), sent back to the caller.
    res.setHeader(REQUEST_ID_HEADER, currentRequestId() ?? requestIdOf(req.headers));
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        sendError(res, 405, ApolloServerErrorCode.BAD_REQUEST, `${req.method ?? 'This method'} is not allowed; use GET`);
        return;
      }
      const { tenant } = await authenticator.authenticate(req.headers);
      await rateLimiter.consume(tenant);
      const batchId = batchIdOf(req.url);
      const batch = batchId === null ? null : await findBatch(db, tenant, batchId);
      if (batch === null) throw notFound(`Batch ${JSON.stringify(batchId ?? '')} does not exist`);
      // Not an empty stream: a pipeline must learn that the results are gone, not that there were none.
      if (hasExpired(batch)) throw new GatewayError(ErrorCode.GONE, `Batch ${JSON.stringify(batch.id)}'s results expired and were deleted`);
      if (!holdsRecords(batch)) {
        const why = batch.status === 'ABORTED' ? 'was cancelled' : 'failed';
        throw new GatewayError(ErrorCode.GONE, `Batch ${JSON.stringify(batch.id)}'s job ${why}: its partial records were removed`);
      }
      // What a LOADING batch holds is a part, and a sharded job's parts add records behind any read position.
      if (batch.status !== 'SUCCESS') {
        throw new GatewayError(ErrorCode.CONFLICT, `Batch ${JSON.stringify(batch.id)} is still being written by its job: read it once its status is SUCCESS`);
      }

      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      let clientGone = false;
      res.once('close', () => (clientGone = true));
      // A client that stops reading is cut: its pending drain would wait for ever.
      cutWhenStalled(res, stalledAfterMs);
      // Leaving the loop early (client gone) ends the generator: no further chunk is read.
      for await (const text of batchRecordTexts(db, batch.id)) {
        if (clientGone) break;
        if (!res.write(text + '\n')) await drained(res);
        if (clientGone) break;
      }
      if (!clientGone) {
        // Cancelled, failed or expired while it was read: its records went as the stream ran.
        const now = await findBatch(db, tenant, batch.id);
        if (now === null || !holdsRecords(now)) {
          logger.warn('Batch records cut: the batch ended while they were streamed', { batchId: batch.id, status: now?.status ?? null });
          res.destroy();
          return;
        }
      }
      res.end();
    } catch (caught: unknown) {
      // The database gone for a moment is no fault of ours or the client's: 503, come back.
      const error = !res.headersSent && isTransientDatabaseError(caught) ? serviceUnavailable() : caught;
      if (res.headersSent) {
        logger.error('Streaming batch records failed', { url: req.url, error: describeError(error) });
        res.destroy();
      } else if (error instanceof GatewayError) {
        for (const [name, value] of headersFor(error.code, error.extensions)) res.setHeader(name, value);
        sendError(res, HTTP_STATUS[error.code], error.code, error.message);
      } else {
        logger.error('Reading batch records failed', { url: req.url, error: describeError(error) });
        sendError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
      }
    }
  };
}

/** The batch id of the request path, or null for one that cannot be a batch id. */
function batchIdOf(url: string | undefined): string | null {
  const encoded = PATH.exec((url ?? '/').split('?')[0] ?? '')?.[1];
  if (encoded === undefined) return null;
  let id: string;
  try {
    id = decodeURIComponent(encoded);
  } catch {
    return null; // Malformed percent-encoding names no batch.
  }
  // `%00` decodes to a NUL, which PostgreSQL refuses even to compare: no batch has it.
  return couldBeStoredKey(id) ? id : null;
}

/** Resolves once `res` can take more data, or once the client has gone (then nothing more is written). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    // A destroyed response emits neither event again.
    if (res.destroyed) return resolve();
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}
