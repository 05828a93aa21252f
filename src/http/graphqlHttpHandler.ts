/**
 * Serves Apollo Server on a plain `node:http` request: the JSON body is read
 * with a size limit, everything else (CSRF prevention, GET, errors, status
 * codes) is Apollo's `executeHTTPGraphQLRequest`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext, type ContextFunction } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { ErrorCode } from '../errors';
import type { LimitOptions } from '../limits/limitOptions';
import { asSeparateOperations } from '../tracing/requestSpan';
import { setSecurityHeaders } from '../web/securityHeaders';

export function graphqlHttpHandler<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  context: ContextFunction<[{ req: IncomingMessage; res: ServerResponse; body: unknown }], TContext>,
  limits: Pick<LimitOptions, 'bodyBytes' | 'batchOperations' | 'variablesBytes'>,
  /** Told of each request refused here, before Apollo sees it (metrics, the access log). */
  onRefused: (refusal: Refusal) => void = () => {},
) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const startedAt = performance.now();
    const refuse = (status: number, code: string, message: string) => {
      onRefused({ code, status, durationMs: performance.now() - startedAt });
      sendError(res, status, code, message);
    };
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown;
    try {
      body = await readBody(req, headers.get('content-type'), limits.bodyBytes);
    } catch (error: unknown) {
      if (error instanceof BodyTooLargeError) return refuse(413, ErrorCode.PAYLOAD_TOO_LARGE, error.message);
      return refuse(400, ApolloServerErrorCode.BAD_REQUEST, error instanceof Error ? error.message : 'Bad request');
    }
    const operations = Array.isArray(body) ? body : [body];
    if (operations.length > limits.batchOperations) {
      const message = `A batch may hold at most ${limits.batchOperations} operations (got ${operations.length})`;
      return refuse(400, ErrorCode.TOO_MANY_OPERATIONS, message);
    }
    const variablesTooLarge = operations.find(
      (operation) => variablesBytesOf(operation) > limits.variablesBytes,
    );
    if (variablesTooLarge !== undefined) {
      return refuse(413, ErrorCode.PAYLOAD_TOO_LARGE, `Variables may take at most ${limits.variablesBytes} characters of JSON`);
    }
    const execute = () =>
      apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: req.method?.toUpperCase() ?? 'GET',
          headers,
          search: new URL(req.url ?? '/', 'http://localhost').search,
          body,
        },
        context: () => context({ req, res, body }),
      });
    // A batch's operations cannot all name the request's span: each gets its own.
    const response = await (Array.isArray(body) ? asSeparateOperations(execute) : execute());
    for (const [name, value] of response.headers) res.setHeader(name, value);
    // The one HTML answer is Apollo's landing page, our playground: a browser renders it.
    if (response.headers.get('content-type')?.startsWith('text/html')) setSecurityHeaders(res, 'playground', req.headers);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}

class BodyTooLargeError extends Error {}

/** A request refused before Apollo saw it: its code, HTTP status, and how long it took. */
export interface Refusal {
  code: string;
  status: number;
  durationMs: number;
}

/** An answer before Apollo runs, as Apollo would write it: a GraphQL error with its code. */
function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/** The size of an operation's variables as JSON (in characters); 0 without any. */
function variablesBytesOf(operation: unknown): number {
  return jsonLength((operation as { variables?: unknown } | null)?.variables ?? null);
}

/**
 * About the length of `value` as JSON, walked with a stack of its own:
 * JSON.stringify recurses, and a document nested 5,000 deep overflows it.
 */
function jsonLength(value: unknown): number {
  let length = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') length += next.length + 2;
    else if (Array.isArray(next)) {
      length += 2 + Math.max(0, next.length - 1);
      // One at a time: a spread passes every item as an argument, and ~150,000 overflow the stack.
      for (const item of next) pending.push(item);
    } else if (next !== null && typeof next === 'object') {
      const entries = Object.entries(next);
      length += 2 + Math.max(0, entries.length - 1);
      for (const [key, item] of entries) {
        length += key.length + 3;
        pending.push(item);
      }
    } else length += String(next).length;
  }
  return length;
}

/** The parsed JSON body, or undefined for a request without a JSON body (Apollo then answers 400 itself). */
async function readBody(req: IncomingMessage, contentType: string | undefined, maxBytes: number): Promise<unknown> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) throw new BodyTooLargeError(`Request body larger than ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new BodyTooLargeError(`Request body larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  if (!contentType?.toLowerCase().includes('json')) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error('Request body is not valid JSON');
  }
}
