/**
 * The closed set of error codes clients see in `extensions.code`, and the one
 * error class that sets them. Anything else thrown is masked as
 * INTERNAL_SERVER_ERROR (see `formatError`).
 */
import { GraphQLError, type ASTNode } from 'graphql';

export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The HTTP status of each code, for a response that one error ends (the NDJSON route). */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNAUTHENTICATED: 401,
  INTERNAL_SERVER_ERROR: 500,
};

// In GraphQL only an error raised before execution (the context's) sets the HTTP status,
// through Apollo's `extensions.http`; the others ride in a 200 beside partial data.
const SETS_GRAPHQL_STATUS: ReadonlySet<ErrorCode> = new Set([ErrorCode.UNAUTHENTICATED]);

export class GatewayError extends GraphQLError {
  readonly code: ErrorCode;

  /** `nodes`: where in the document the error is, for an error of the request itself (a variable). */
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}, nodes?: ASTNode) {
    const http = SETS_GRAPHQL_STATUS.has(code) ? { http: { status: HTTP_STATUS[code] } } : {};
    super(message, {
      ...(nodes ? { nodes } : {}),
      extensions: { code, ...extensions, ...http },
    });
    this.code = code;
  }
}

/** Bad input; `field` is the dotted input path (`filter.segments[2].segmentId`). */
export function badUserInput(field: string, message: string, nodes?: ASTNode): GatewayError {
  return new GatewayError(ErrorCode.BAD_USER_INPUT, message, { field }, nodes);
}

export function notFound(message: string): GatewayError {
  return new GatewayError(ErrorCode.NOT_FOUND, message);
}

export function conflict(message: string): GatewayError {
  return new GatewayError(ErrorCode.CONFLICT, message);
}
