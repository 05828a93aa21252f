/**
 * `_entities` answers for this subgraph's entities only. @apollo/subgraph
 * throws a plain Error for a `__typename` that is no type of ours, and lets a
 * type of ours that is no entity (`Batch`) fail later on the `_Entity` union:
 * both reached clients as INTERNAL_SERVER_ERROR. A router sends only the
 * entity types it composed from our SDL, so anything else is the caller's
 * mistake, refused before any entity is read.
 */
import { isUnionType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { badUserInput } from '../errors';

/**
 * Wraps the `_entities` resolver of `schema` (in place): a representation of
 * anything but one of its entities is BAD_USER_INPUT naming its `__typename`.
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
    }
    return resolve(source, args, context, info);
  };
}
