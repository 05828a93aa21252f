/**
 * Introspection costs nothing by the cost rule and may be asked without a caller
 * (a playground, a router), so its answer is bounded by its shape instead. graphql-js
 * already refuses lists of fields nested under fields more than twice
 * (`MaxIntrospectionDepthRule`, among its specified rules); this rule refuses an alias
 * on `__schema`, `__type`, `_service` (the subgraph's SDL, as free to ask) or any field
 * of an introspection type or of `_Service`, so that each part of the schema is in the
 * answer at most once. Thirty aliased deep copies of `__schema` answered 2.35 MB and
 * held the process for 0.2–0.6 s.
 */
import { GraphQLError, getNamedType, type ValidationRule } from 'graphql';
import { ErrorCode } from '../errors';

const SCHEMA_ROOTS = new Set(['__schema', '__type', '_service']);
const isSchemaType = (name: string) => name.startsWith('__') || name === '_Service';

export const introspectionAliasRule: ValidationRule = (context) => ({
  Field(node) {
    if (!node.alias) return;
    const parent = context.getParentType();
    if (SCHEMA_ROOTS.has(node.name.value) || (parent && isSchemaType(getNamedType(parent).name))) {
      context.reportError(
        new GraphQLError(`Introspection answers each part of the schema once: \`${node.name.value}\` cannot take an alias`, {
          nodes: node,
          extensions: { limit: ErrorCode.TOO_MANY_ALIASES },
        }),
      );
    }
  },
});
