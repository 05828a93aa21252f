/**
 * `_entities` answers for this subgraph's entities only, and costs what its
 * representations ask for. @apollo/subgraph
 * throws a plain Error for a `__typename` that is no type of ours, and lets a
 * type of ours that is no entity (`Batch`) fail later on the `_Entity` union:
 * both reached clients as INTERNAL_SERVER_ERROR. A router sends only the
 * entity types it composed from our SDL, so anything else is the caller's
 * mistake, refused before any entity is read.
 *
 * The cost rule (LIMIT_QUERY_COST) prices a list it cannot size as 20 items, and a
 * router sends the representations as a variable, unknown when the document is
 * validated: a request of 9,800 representations (what LIMIT_VARIABLES_BYTES lets
 * through) was priced as 20. The operation is priced again here with their count.
 */
import {
  Kind,
  isUnionType,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { Context } from '../context';
import { badUserInput, ErrorCode, GatewayError } from '../errors';
import { operationCost } from '../limits/costRule';

/**
 * Wraps the `_entities` resolver of `schema` (in place): a representation of
 * anything but one of its entities is BAD_USER_INPUT naming its `__typename`, and
 * an operation that costs more than LIMIT_QUERY_COST with as many representations
 * as it sends is QUERY_TOO_COSTLY.
 */
export function refuseForeignRepresentations(schema: GraphQLSchema): void {
  const field = schema.getQueryType()?.getFields()._entities;
  const union = schema.getType('_Entity');
  if (!field?.resolve || !isUnionType(union)) return;
  const entityTypes = new Set(union.getTypes().map((type) => type.name));
  const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve;
  field.resolve = (source, args: { representations?: unknown }, context, info) => {
    const representations = Array.isArray(args.representations) ? args.representations : [];
    for (const [i, representation] of representations.entries()) {
      const typename: unknown = (representation as { __typename?: unknown } | null)?.__typename;
      if (typeof typename !== 'string' || !entityTypes.has(typename)) {
        const name = `representations[${i}].__typename`;
        throw badUserInput(name, `\`${name}\` must name an entity of this subgraph: ${[...entityTypes].join(' or ')}`);
      }
      // Every entity of ours is keyed by `id`: without one, the loaders' load(undefined) threw a TypeError.
      const id: unknown = (representation as { id?: unknown }).id;
      if (id === undefined || id === null) {
        const name = `representations[${i}].id`;
        throw badUserInput(name, `\`${name}\` is required: the key of ${typename}`);
      }
    }
    const maxCost = (context as Context).limits.queryCost;
    // Every `_entities` of the operation at the size it is sent: aliased, each priced alone passed.
    const sized = entitiesSizes(info);
    sized.set(String(info.path.key), representations.length);
    const cost = operationCost(info.schema, info.operation, (name) => info.fragments[name], sized) ?? 0;
    if (cost > maxCost) {
      throw new GatewayError(
        ErrorCode.QUERY_TOO_COSTLY,
        `The operation costs ${cost} with its ${representations.length} representations, more than the limit of ${maxCost}`,
        { cost, maxCost },
      );
    }
    return resolve(source, args, context, info);
  };
}

/**
 * The number of representations each `_entities` field of the operation is sent (by
 * response key), from its literal list or its variable; at the root, in inline fragments
 * and in fragment spreads there. One that is neither keeps the rule's own size.
 */
function entitiesSizes(info: GraphQLResolveInfo): Map<string, number> {
  const sizes = new Map<string, number>();
  const seen = new Set<string>();
  const visit = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value !== '_entities') continue;
        const value = selection.arguments?.find((argument) => argument.name.value === 'representations')?.value;
        const size =
          value?.kind === Kind.LIST
            ? value.values.length
            : value?.kind === Kind.VARIABLE && Array.isArray(info.variableValues[value.name.value])
              ? (info.variableValues[value.name.value] as unknown[]).length
              : undefined;
        if (size !== undefined) sizes.set(selection.alias?.value ?? selection.name.value, size);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet);
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = info.fragments[selection.name.value];
        if (fragment) visit(fragment.selectionSet);
      }
    }
  };
  visit(info.operation.selectionSet);
  return sizes;
}
