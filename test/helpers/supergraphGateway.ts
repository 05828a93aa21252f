/**
 * A supergraph as a platform team runs one: subgraph SDLs composed by
 * @apollo/composition, served by @apollo/gateway over real HTTP, with the
 * caller's tenant headers forwarded to every subgraph.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { parse } from 'graphql';

export interface SubgraphDefinition {
  name: string;
  url: string;
  sdl: string;
}

export interface SupergraphGateway {
  url: string;
  close(): Promise<void>;
}

interface GatewayContext {
  forwardedHeaders: Record<string, string>;
}

const FORWARDED_HEADERS = ['x-gw-ims-org-id', 'x-sandbox-name', 'authorization'];

/** The supergraph SDL, or an error naming every composition problem. */
export function composeSupergraph(subgraphs: SubgraphDefinition[]): string {
  const composition = composeServices(
    subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })),
  );
  if (composition.errors) {
    throw new Error(`Composition failed:\n${composition.errors.map((error) => error.message).join('\n')}`);
  }
  return composition.supergraphSdl;
}

export async function startSupergraphGateway(supergraphSdl: string): Promise<SupergraphGateway> {
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<GatewayContext>({
        url,
        willSendRequest({ request, context }) {
          // Health checks and schema loads run without a request context.
          const { forwardedHeaders = {} } = context as Partial<GatewayContext>;
          for (const [name, value] of Object.entries(forwardedHeaders)) {
            request.http?.headers.set(name, value);
          }
        },
      }),
  });
  const server = new ApolloServer<GatewayContext>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({
      forwardedHeaders: Object.fromEntries(
        FORWARDED_HEADERS.flatMap((name) => {
          const value = req.headers[name];
          return typeof value === 'string' ? [[name, value]] : [];
        }),
      ),
    }),
  });
  return { url, close: () => server.stop() };
}
