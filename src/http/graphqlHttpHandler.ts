/**
 * Serves Apollo Server on a plain `node:http` request: the JSON body is read
 * with a size limit, everything else (CSRF prevention, GET, errors, status
 * codes) is Apollo's `executeHTTPGraphQLRequest`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext, type ContextFunction } from '@apollo/server';
import { setSecurityHeaders } from '../web/securityHeaders';

const MAX_BODY_BYTES = 2 * 1024 * 1024;

export function graphqlHttpHandler<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  context: ContextFunction<[{ req: IncomingMessage; res: ServerResponse; body: unknown }], TContext>,
) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown;
    try {
      body = await readBody(req, headers.get('content-type'));
    } catch (error: unknown) {
      res.statusCode = error instanceof BodyTooLargeError ? 413 : 400;
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end(error instanceof Error ? error.message : 'Bad request');
      return;
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: req.method?.toUpperCase() ?? 'GET',
        headers,
        search: new URL(req.url ?? '/', 'http://localhost').search,
        body,
      },
      context: () => context({ req, res, body }),
    });
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

/** The parsed JSON body, or undefined for a request without a JSON body (Apollo then answers 400 itself). */
async function readBody(req: IncomingMessage, contentType: string | undefined): Promise<unknown> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError(`Request body larger than ${MAX_BODY_BYTES} bytes`);
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
