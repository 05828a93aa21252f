/**
 * The two ways a PQL expression is refused, and their GraphQL form. Nothing
 * else escapes the PQL module: a bad expression is one of these at compile
 * time, never a database error at evaluation.
 */
import { ErrorCode, GatewayError } from '../../errors';

/** Where in the expression a problem is: 1-based line and column (UTF-16 units), and the token's text. */
export interface PqlPosition {
  line: number;
  column: number;
  /** The offending token as written; `''` at the end of the expression. */
  token: string;
}

/**
 * An expression that is not PQL, or not PQL this module understands: bad
 * tokens, bad grammar, unknown functions, wrong argument counts or types, and
 * expressions over the size bounds.
 */
export class PqlSyntaxError extends Error {
  readonly line: number;
  readonly column: number;
  readonly token: string;

  constructor(message: string, position: PqlPosition) {
    super(`${message} (line ${position.line}, column ${position.column})`);
    this.name = 'PqlSyntaxError';
    this.line = position.line;
    this.column = position.column;
    this.token = position.token;
  }
}

/** A construct the PQL reference documents that this evaluator refuses rather than evaluate wrongly. */
export class PqlUnsupportedError extends Error {
  /** The function, operator or form refused, as the reference names it (`intersection`, `exists`, `^`). */
  readonly construct: string;
  readonly position: PqlPosition;

  constructor(construct: string, position: PqlPosition, detail?: string) {
    super(
      `PQL ${construct} is not supported${detail ? `: ${detail}` : ''} (line ${position.line}, column ${position.column})`,
    );
    this.name = 'PqlUnsupportedError';
    this.construct = construct;
    this.position = position;
  }
}

/**
 * The GraphQL error for a refused expression (BAD_USER_INPUT on `field`, by
 * default a definition's `expression.value`, with the position or the
 * unsupported construct), or undefined for anything that is not a PQL error.
 */
export function pqlErrorToGraphQL(error: unknown, field = 'expression.value'): GatewayError | undefined {
  if (error instanceof PqlSyntaxError) {
    return new GatewayError(ErrorCode.BAD_USER_INPUT, error.message, {
      field,
      line: error.line,
      column: error.column,
      token: error.token,
    });
  }
  if (error instanceof PqlUnsupportedError) {
    return new GatewayError(ErrorCode.BAD_USER_INPUT, error.message, {
      field,
      unsupported: error.construct,
    });
  }
  return undefined;
}
