/**
 * GraphQL subscriptions over graphql-ws (the `graphql-transport-ws` protocol)
 * on the HTTP server's own port and path. The tenant headers travel in the
 * `connection_init` payload; without an organisation the socket is closed with
 * 4403. The ws adapter pings every 12 s and drops sockets that stop answering.
 */
import type { Server } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { ORG_HEADER, readCaller, SANDBOX_HEADER, type Context } from '../context';
import { sharedSubscribe } from './sharedSubscriptionExecution';

type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

export interface GraphqlWsServer {
  /** Open sockets (for tests and metrics). */
  clientCount(): number;
  close(): Promise<void>;
}

export function serveGraphqlOverWebSocket(
  httpServer: Server,
  schema: GraphQLSchema,
  contextOf: (headers: IncomingHttpHeaders) => Context,
  formatError: FormatError,
): GraphqlWsServer {
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql' });
  // The same masking as over HTTP: an unexpected error is logged whole and reaches
  // the client as INTERNAL_SERVER_ERROR, never with its SQL or internals.
  const format = (errors: readonly GraphQLError[]) => errors.map((error) => formatError(error.toJSON(), error));
  const disposable = useServer(
    {
      schema,
      subscribe: sharedSubscribe,
      // Returning false closes the socket with 4403 Forbidden: no organisation, or one
      // that is no tenant at all (readCaller's rules, as over HTTP).
      onConnect: (ctx) => isTenant(headersOf(ctx.connectionParams)),
      context: (ctx) => contextOf(headersOf(ctx.connectionParams)),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors?.length ? { ...result, errors: format(result.errors as GraphQLError[]) } : result,
      onError: (_ctx, _id, _payload, errors) => format(errors),
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

function isTenant(headers: IncomingHttpHeaders): boolean {
  if (!headers[ORG_HEADER]) return false;
  try {
    readCaller({ [ORG_HEADER]: headers[ORG_HEADER], [SANDBOX_HEADER]: headers[SANDBOX_HEADER] });
    return true;
  } catch {
    return false;
  }
}

/** The payload read like HTTP headers: names lowercased, only strings. */
function headersOf(params: Readonly<Record<string, unknown>> | undefined): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(params ?? {})) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
  }
  return headers;
}
