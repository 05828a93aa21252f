/**
 * The closed set of error codes clients see in `extensions.code`, and the one
 * error class that sets them. Anything else thrown is masked as
 * INTERNAL_SERVER_ERROR (see `formatError`). What a code means in HTTP is the
 * transport's business (src/http/httpStatus.ts).
 */
import { GraphQLError, type ASTNode } from 'graphql';

export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** A verified caller that may not act for the tenant it names. */
  FORBIDDEN: 'FORBIDDEN',
  // A request over one of its bounds (src/limits/), each bound with a code of its own.
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  TOO_MANY_ALIASES: 'TOO_MANY_ALIASES',
  TOO_MANY_DIRECTIVES: 'TOO_MANY_DIRECTIVES',
  TOO_MANY_TOKENS: 'TOO_MANY_TOKENS',
  QUERY_TOO_COSTLY: 'QUERY_TOO_COSTLY',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  TOO_MANY_OPERATIONS: 'TOO_MANY_OPERATIONS',
  TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_SUBSCRIPTIONS',
  /** The tenant's requests a second, over every process; `extensions.retryAfter` says when to try again. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** A quota of the tenant (jobs a day, jobs queued): see `exportLimits`. */
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  /** Results past their expiry (RESULT_TTL_DAYS): they were, or are being, deleted. */
  GONE: 'GONE',
  /** Work of one field ran past its time limit (`extensions.limitSeconds`): `previewSegment` past LIMIT_PREVIEW_SECONDS. */
  TIME_LIMIT_EXCEEDED: 'TIME_LIMIT_EXCEEDED',
  /** The client went away before its answer (`Context.abandoned`); nobody receives it, metrics and logs count it. */
  CLIENT_CLOSED_REQUEST: 'CLIENT_CLOSED_REQUEST',
  /** The database failed for a moment (a restart, a failover, a cut connection); `extensions.retryAfter` in seconds. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class GatewayError extends GraphQLError {
  readonly code: ErrorCode;

  /** `nodes`: where in the document the error is, for an error of the request itself (a variable). */
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}, nodes?: ASTNode) {
    super(message, {
      ...(nodes ? { nodes } : {}),
      extensions: { code, ...extensions },
    });
    this.code = code;
  }
}

/** Bad input; `field` is the dotted input path (`filter.segments[2].segmentId`). */
export function badUserInput(field: string, message: string, nodes?: ASTNode): GatewayError {
  return new GatewayError(ErrorCode.BAD_USER_INPUT, message, { field }, nodes);
}

/** For a passing database error (`isTransientDatabaseError`): the same request will likely work in a second. */
export function serviceUnavailable(): GatewayError {
  return new GatewayError(ErrorCode.SERVICE_UNAVAILABLE, 'The database is unavailable for a moment; try again', { retryAfter: 1 });
}

export function notFound(message: string): GatewayError {
  return new GatewayError(ErrorCode.NOT_FOUND, message);
}

export function conflict(message: string): GatewayError {
  return new GatewayError(ErrorCode.CONFLICT, message);
}
