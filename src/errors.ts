/**
 * The closed set of error codes clients see in `extensions.code`, and the one
 * error class that sets them. Anything else thrown is masked as
 * INTERNAL_SERVER_ERROR (see `formatError`).
 */
import { GraphQLError } from 'graphql';

export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  // Only errors raised before execution change the HTTP status; see Apollo's `extensions.http`.
  UNAUTHENTICATED: 401,
};

export class GatewayError extends GraphQLError {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    const status = HTTP_STATUS[code];
    super(message, {
      extensions: { code, ...extensions, ...(status ? { http: { status } } : {}) },
    });
    this.code = code;
  }
}

/** Bad input; `field` is the dotted input path (`filter.segments[2].segmentId`). */
export function badUserInput(field: string, message: string): GatewayError {
  return new GatewayError(ErrorCode.BAD_USER_INPUT, message, { field });
}

export function notFound(message: string): GatewayError {
  return new GatewayError(ErrorCode.NOT_FOUND, message);
}

export function conflict(message: string): GatewayError {
  return new GatewayError(ErrorCode.CONFLICT, message);
}
