/**
 * Recognises a request that asks for nothing but the schema: the subgraph's
 * SDL (`{ _service { sdl } }`, what routers and `rover subgraph introspect`
 * compose from) or introspection (what a playground's docs load before its
 * tenant headers are filled in). Neither reads tenant data, so neither needs them.
 */
import { Kind, parse, type OperationDefinitionNode, type ParseOptions } from 'graphql';

const SCHEMA_ONLY_FIELDS = new Set(['_service', '__schema', '__type', '__typename']);

/**
 * `parseOptions`: the API's own (`maxTokens`). This parse comes before any tenant, so
 * before any rate limit: unbounded, a megabyte of tokens was parsed whole on every request.
 */
export function asksOnlyForSchema(body: unknown, parseOptions: ParseOptions): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const { query, operationName } = body as { query?: unknown; operationName?: unknown };
  if (typeof query !== 'string') return false;
  let operations: OperationDefinitionNode[];
  try {
    operations = parse(query, parseOptions).definitions.filter(
      (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
    );
  } catch {
    return false; // Apollo reports the syntax error, under the usual tenant rules.
  }
  const operation =
    typeof operationName === 'string'
      ? operations.find((candidate) => candidate.name?.value === operationName)
      : operations.length === 1
        ? operations[0]
        : undefined;
  return (
    operation?.operation === 'query' &&
    operation.selectionSet.selections.every(
      (selection) => selection.kind === Kind.FIELD && SCHEMA_ONLY_FIELDS.has(selection.name.value),
    )
  );
}
