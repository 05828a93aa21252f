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
  INTERNAL_SERVER_ERROR: 500,
};

/** Codes that, when they stop a request, are its HTTP status rather than a 200 beside data. */
const STOPS_THE_REQUEST: ReadonlySet<string> = new Set([ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN]);

/** The headers that go with a status (a 401 says how to authenticate). */
export function headersFor(code: ErrorCode): [string, string][] {
  return code === ErrorCode.UNAUTHENTICATED ? [['www-authenticate', 'Bearer']] : [];
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
      http: { status: HTTP_STATUS[code as ErrorCode], headers: new HeaderMap(headersFor(code as ErrorCode)) },
    },
  });
}

/**
 * The same for an error raised while executing (a schema-only context asked
 * for a tenant): a response with no data and such an error gets its status.
 */
export function httpStatusPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, errors }) {
          if (response.body.kind !== 'single' || response.body.singleResult.data) return;
          const code = errors?.map((error) => error.extensions.code).find((each) => STOPS_THE_REQUEST.has(String(each)));
          if (code === undefined) return;
          response.http.status = HTTP_STATUS[code as ErrorCode];
          for (const [name, value] of headersFor(code as ErrorCode)) response.http.headers.set(name, value);
        },
      };
    },
  };
}
