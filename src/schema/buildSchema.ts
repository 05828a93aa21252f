import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
import { refuseForeignRepresentations } from './entityRepresentations';
import { resolvers } from './resolvers';
import { typeDefs } from './typeDefs';

type SubgraphModule = Extract<Parameters<typeof buildSubgraphSchema>[0], { typeDefs: unknown }>;

/**
 * The executable schema: `schema.graphql` with its resolvers attached, built as
 * an Apollo Federation subgraph so that `_service { sdl }` and `_entities`
 * (served by the entities' `__resolveReference`; any other `__typename` is
 * BAD_USER_INPUT) come with it.
 */
export function buildSchema(): GraphQLSchema {
  // Codegen types each resolver's arguments; the subgraph's map leaves them untyped. Same shape.
  const schema = buildSubgraphSchema({
    typeDefs: parse(typeDefs),
    resolvers: resolvers as unknown as SubgraphModule['resolvers'],
  });
  refuseForeignRepresentations(schema);
  return schema;
}
