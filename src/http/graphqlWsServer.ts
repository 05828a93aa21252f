/**
 * GraphQL subscriptions over graphql-ws (the `graphql-transport-ws` protocol)
 * on the HTTP server's own port and path. The tenant headers travel in the
 * `connection_init` payload; without an organisation the socket is closed with
 * 4403. The ws adapter pings every 12 s and drops sockets that stop answering.
 */
import type { Server } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { ORG_HEADER, type Context } from '../context';
import { sharedSubscribe } from './sharedSubscriptionExecution';

export interface GraphqlWsServer {
  /** Open sockets (for tests and metrics). */
  clientCount(): number;
  close(): Promise<void>;
}

export function serveGraphqlOverWebSocket(
  httpServer: Server,
  schema: GraphQLSchema,
  contextOf: (headers: IncomingHttpHeaders) => Context,
): GraphqlWsServer {
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const disposable = useServer(
    {
      schema,
      subscribe: sharedSubscribe,
      // Returning false closes the socket with 4403 Forbidden.
      onConnect: (ctx) => Boolean(headersOf(ctx.connectionParams)[ORG_HEADER]?.toString().trim()),
      context: (ctx) => contextOf(headersOf(ctx.connectionParams)),
    },
    wss,
  );
  return {
    clientCount: () => wss.clients.size,
    close: async () => {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** The payload read like HTTP headers: names lowercased, only strings. */
function headersOf(params: Readonly<Record<string, unknown>> | undefined): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(params ?? {})) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
  }
  return headers;
}
