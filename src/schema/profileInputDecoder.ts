/**
 * Reads a JSON value as the API's `ProfileInput` with graphql-js's own input
 * coercion over the served schema (STYLE.md debt 5), so a line of a file is
 * refused for exactly what a variable of the `ingestProfiles` mutation is: the
 * same fields, types, enum values and scalars, told in graphql-js's words.
 */
import { coerceInputValue, GraphQLNonNull, isInputObjectType, type GraphQLSchema } from 'graphql';
import type { ProfileDecoder, ProfileInput } from '../profiles/profileInput';
import { ProfileFieldError } from '../profiles/validateProfiles';
import { buildSchema } from './buildSchema';

// graphql-js names the object holding a missing or unknown field, and the field only in its message.
const FIELD_OF_OBJECT = /^Field "([^"]+)" (?:of required type|is not defined by type)/;

/** A decoder over `schema`'s `ProfileInput` (by default the schema the server serves). */
export function profileInputDecoder(schema: GraphQLSchema = buildSchema()): ProfileDecoder {
  const type = schema.getType('ProfileInput');
  if (!isInputObjectType(type)) throw new Error('schema.graphql has no input ProfileInput');
  const profileInput = new GraphQLNonNull(type);
  return (json) => {
    let first: ProfileFieldError | undefined;
    const value: unknown = coerceInputValue(json, profileInput, (path, _invalid, error) => {
      if (first) return;
      const keys = [...path];
      const named = FIELD_OF_OBJECT.exec(error.message)?.[1];
      if (named !== undefined) keys.push(named);
      const field = keys.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('');
      first = new ProfileFieldError(field, error.message, field === '' ? error.message : `${field}: ${error.message}`);
    });
    if (first) throw first;
    return value as ProfileInput;
  };
}
