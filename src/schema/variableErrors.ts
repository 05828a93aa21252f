/**
 * Why the variables of a request do not fit its operation, told as graphql-js
 * tells it: `Variable "$input" got invalid value "nope" at
 * "input.filter.fromIngestTimestamp"; Expected type "DateTime". …`.
 * graphql-jit's compiled coercion names the innermost input field as if it
 * were a variable (`$fromIngestTimestamp`, a name the client never wrote), with
 * no path, and quotes the whole enclosing object; so when it refuses the
 * variables, the errors are worked out again here, on that failure path only.
 */
import {
  coerceInputValue,
  isInputType,
  isNonNullType,
  typeFromAST,
  type GraphQLError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { badUserInput } from '../errors';
import { shortened } from '../shortened';

// Enough to fix a request, bounded however large the input.
const MAX_ERRORS = 20;
const MAX_QUOTED_CHARS = 80;
const MAX_MESSAGE_CHARS = 500;

/**
 * BAD_USER_INPUT errors for `variables` against `operation`, `extensions.field`
 * the path inside the variable (`input.filter.segments[0].status[0]`); none when they fit.
 */
export function variableErrors(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): GraphQLError[] {
  const errors: GraphQLError[] = [];
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type);
    // Validation has checked the types; an unknown one is not the client's to fix.
    if (!type || !isInputType(type)) continue;
    if (!Object.prototype.hasOwnProperty.call(variables, name)) {
      if (isNonNullType(type) && !definition.defaultValue) {
        errors.push(badUserInput(name, `Variable "$${name}" of required type "${String(type)}" was not provided.`, definition));
      }
      continue;
    }
    const value = variables[name];
    if (value === null && isNonNullType(type)) {
      errors.push(badUserInput(name, `Variable "$${name}" of non-null type "${String(type)}" must not be null.`, definition));
      continue;
    }
    coerceInputValue(value, type, (path, invalidValue, error) => {
      if (errors.length >= MAX_ERRORS) return;
      const field = name + path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`)).join('');
      const at = path.length > 0 ? ` at "${field}"` : '';
      const message = `Variable "$${name}" got invalid value ${quoted(invalidValue)}${at}; ${error.message}`;
      errors.push(badUserInput(field, shortened(message, MAX_MESSAGE_CHARS), definition));
    });
  }
  return errors;
}

/** The value as the client sent it (JSON), short; objects and lists by kind only, as they may nest without end. */
function quoted(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'an object';
  return shortened(JSON.stringify(value) ?? String(value), MAX_QUOTED_CHARS);
}
