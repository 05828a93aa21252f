/**
 * An operation sent over graphql-ws, parsed and validated as Apollo does it
 * over HTTP: the same token limit and validation rules (src/limits/), the same
 * codes (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, the limits' own,
 * OPERATION_RESOLUTION_FAILURE, BAD_USER_INPUT for variables that do not fit).
 * graphql-ws alone would parse with no limit, validate with graphql-js's rules
 * only, and close the socket with 4500 on a syntax error.
 */
import { ApolloServerErrorCode } from '@apollo/server/errors';
import {
  getOperationAST,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ParseOptions,
  type ValidationRule,
} from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { variableErrors } from '../schema/variableErrors';

export interface ParsedOperation {
  document: DocumentNode;
  operationName: string | null | undefined;
  variableValues: Record<string, unknown> | null | undefined;
}

export function webSocketOperation(
  schema: GraphQLSchema,
  payload: SubscribePayload,
  parseOptions: ParseOptions,
  rules: readonly ValidationRule[],
): ParsedOperation | GraphQLError[] {
  let document: DocumentNode;
  try {
    document = parse(payload.query, parseOptions);
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : 'The document could not be parsed';
    return [new GraphQLError(message, { extensions: { code: ApolloServerErrorCode.GRAPHQL_PARSE_FAILED } })];
  }
  const invalid = validate(schema, document, [...specifiedRules, ...rules]);
  if (invalid.length > 0) {
    return invalid.map(
      (error) =>
        new GraphQLError(error.message, {
          nodes: error.nodes,
          // Our limit rules carry their own code in `limit`; formatError promotes it.
          extensions: { ...error.extensions, code: ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED },
        }),
    );
  }
  const operation = getOperationAST(document, payload.operationName);
  if (!operation) {
    const message = payload.operationName
      ? `Unknown operation named "${payload.operationName.slice(0, 80)}".`
      : 'Must provide operation name if query contains multiple operations.';
    return [new GraphQLError(message, { extensions: { code: ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE } })];
  }
  const variables = payload.variables ?? {};
  const misfits = variableErrors(schema, operation, variables);
  if (misfits.length > 0) return misfits;
  return { document, operationName: payload.operationName, variableValues: variables };
}
