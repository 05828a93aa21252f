/**
 * Reads a JSON value as the API's `ProfileInput` with graphql-js's own input
 * coercion over the served schema (STYLE.md debt 5), so a line of a file is
 * refused for exactly what a variable of the `ingestProfiles` mutation is: the
 * same fields, types, enum values and scalars, told in graphql-js's words. As for
 * a variable, a single value given for a list is read as a list of one.
 */
import { coerceInputValue, GraphQLNonNull, isInputObjectType, type GraphQLSchema } from 'graphql';
import type { ProfileDecoder, ProfileInput } from '../profiles/profileInput';
import { ProfileFieldError } from '../profiles/validateProfiles';
import { buildSchema } from './buildSchema';

// graphql-js names the object holding a missing or unknown field, and the field only in its message.
const FIELD_OF_OBJECT = /^Field "([^"]+)" (?:of required type|is not defined by type)/;
// A misspelt field is also a missing one: its error (with graphql-js's "Did you mean") says more.
const UNKNOWN_FIELD = /is not defined by type/;

/** A decoder over `schema`'s `ProfileInput` (by default the schema the server serves). */
export function profileInputDecoder(schema: GraphQLSchema = buildSchema()): ProfileDecoder {
  const type = schema.getType('ProfileInput');
  if (!isInputObjectType(type)) throw new Error('schema.graphql has no input ProfileInput');
  const profileInput = new GraphQLNonNull(type);
  return (json) => {
    const errors: { path: readonly (string | number)[]; message: string }[] = [];
    const value: unknown = coerceInputValue(json, profileInput, (path, _invalid, error) => {
      errors.push({ path, message: error.message });
    });
    const first = errors.find((error) => UNKNOWN_FIELD.test(error.message)) ?? errors[0];
    if (first) throw fieldError(first.path, first.message);
    return value as ProfileInput;
  };
}

function fieldError(path: readonly (string | number)[], graphqlMessage: string): ProfileFieldError {
  const keys = [...path];
  const named = FIELD_OF_OBJECT.exec(graphqlMessage)?.[1];
  if (named !== undefined) keys.push(named);
  const field = keys.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('');
  // Scalars quote the value they refuse as it came: ProfileLineError makes it printable and bounded.
  return new ProfileFieldError(field, graphqlMessage, field === '' ? graphqlMessage : `${field}: ${graphqlMessage}`);
}
