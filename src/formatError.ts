/**
 * What clients see of an error. Our own codes and GraphQL's request errors pass
 * through; a passing database error (a restart, a failover) is SERVICE_UNAVAILABLE;
 * anything else unexpected is logged whole and masked, so no stack, SQL or
 * internal message leaks.
 */
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { isTransientDatabaseError } from './db/postgresErrors';
import { ErrorCode, serviceUnavailable } from './errors';
import { describeError, type Logger } from './logger';

// Our own codes, and those Apollo Server gives to errors of the request itself
// (parse, validation, variables). Matched by code rather than class: Apollo
// re-creates errors thrown while building the context.
const CLIENT_ERROR_CODES = new Set<string>([
  ...Object.values(ErrorCode).filter((code) => code !== ErrorCode.INTERNAL_SERVER_ERROR),
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.BAD_USER_INPUT,
  ApolloServerErrorCode.BAD_REQUEST,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
]);

const CONTEXT_FAILURE_PREFIX = 'Context creation failed: ';

export function createFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    // A request over one of its bounds: Apollo files it under parsing or validation, our code says which bound.
    const limit = limitCodeOf(formatted);
    if (limit) {
      const { http: _status, limit: _limit, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions: { ...extensions, code: limit } };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && CLIENT_ERROR_CODES.has(code)) {
      const { http: _status, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, message: formatted.message.replace(CONTEXT_FAILURE_PREFIX, ''), extensions };
    }
    const original = unwrapResolverError(error);
    if (isTransientDatabaseError(original)) {
      // Not the request's fault nor a bug: the same request will likely work in a moment.
      logger.warn('The database failed for a moment', { path: formatted.path, error: describeError(original) });
      const unavailable = serviceUnavailable();
      return {
        message: unavailable.message,
        ...(formatted.path ? { path: formatted.path } : {}),
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        extensions: { ...unavailable.extensions },
      };
    }
    logger.error('Unexpected error', { path: formatted.path, error: describeError(original) });
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

/**
 * The limit code of an error Apollo reports as a parse or validation failure:
 * our validation rules carry it in `extensions.limit`; graphql-js's own token
 * limit (`maxTokens`) is known by its message (graphql 16 spells it "more that").
 */
function limitCodeOf(formatted: GraphQLFormattedError): string | undefined {
  const limit = formatted.extensions?.limit;
  if (typeof limit === 'string') return limit;
  if (formatted.extensions?.code === ApolloServerErrorCode.GRAPHQL_PARSE_FAILED && /contains more th[ae][nt] \d+ tokens/.test(formatted.message)) {
    return ErrorCode.TOO_MANY_TOKENS;
  }
  return undefined;
}
