/**
 * What our error codes mean in HTTP. The core (errors.ts) knows nothing of
 * HTTP; this is where a code becomes a status and headers, for the routes
 * that answer one error (the NDJSON records route) and for GraphQL responses
 * whose error stopped the request (the context's, or one with no data).
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../errors';

export const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  QUERY_TOO_DEEP: 400,
  TOO_MANY_ALIASES: 400,
  TOO_MANY_DIRECTIVES: 400,
  TOO_MANY_TOKENS: 400,
  QUERY_TOO_COSTLY: 400,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_OPERATIONS: 400,
  TOO_MANY_SUBSCRIPTIONS: 400,
  RATE_LIMITED: 429,
  LIMIT_EXCEEDED: 429,
  GONE: 410,
  TIME_LIMIT_EXCEEDED: 504,
  // nginx's status for a client that closed its request: no one reads it.
  CLIENT_CLOSED_REQUEST: 499,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
};

/** Codes that, when they stop a request, are its HTTP status rather than a 200 beside data. */
const STOPS_THE_REQUEST: ReadonlySet<string> = new Set([
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.FORBIDDEN,
  ErrorCode.RATE_LIMITED,
  ErrorCode.SERVICE_UNAVAILABLE,
  // Raised as it runs only by `_entities`, priced with its representations (entityRepresentations.ts).
  ErrorCode.QUERY_TOO_COSTLY,
]);

/** The headers that go with a status: a 401 says how to authenticate, a 429 or 503 when to come back. */
export function headersFor(code: ErrorCode, extensions: Record<string, unknown> = {}): [string, string][] {
  if (code === ErrorCode.UNAUTHENTICATED) return [['www-authenticate', 'Bearer']];
  if ((code === ErrorCode.RATE_LIMITED || code === ErrorCode.SERVICE_UNAVAILABLE) && typeof extensions.retryAfter === 'number') {
    return [['retry-after', String(extensions.retryAfter)]];
  }
  return [];
}

/**
 * An error of the context (thrown before execution) as Apollo answers it:
 * `extensions.http` carries the status and headers of its code.
 */
export function withHttpStatus(error: unknown): unknown {
  const code = error instanceof GraphQLError ? error.extensions.code : undefined;
  if (typeof code !== 'string' || !STOPS_THE_REQUEST.has(code)) return error;
  const graphqlError = error as GraphQLError;
  return new GraphQLError(graphqlError.message, {
    originalError: graphqlError,
    extensions: {
      ...graphqlError.extensions,
      http: {
        status: HTTP_STATUS[code as ErrorCode],
        headers: new HeaderMap(headersFor(code as ErrorCode, graphqlError.extensions)),
      },
    },
  });
}

/**
 * The same for an error raised while executing (a schema-only context asked
 * for a tenant, the database gone for a moment): a response with no data and
 * such an error gets its status. Read from the errors as sent, after
 * `formatError`, which gives a passing database error its code.
 */
export function httpStatusPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single' || response.body.singleResult.data) return;
          const stopping = response.body.singleResult.errors?.find((error) => STOPS_THE_REQUEST.has(String(error.extensions?.code)));
          if (!stopping) return;
          const code = stopping.extensions!.code as ErrorCode;
          response.http.status = HTTP_STATUS[code];
          for (const [name, value] of headersFor(code, stopping.extensions)) response.http.headers.set(name, value);
        },
      };
    },
  };
}
