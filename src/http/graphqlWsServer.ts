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
import { CloseCode } from 'graphql-ws';
import type { Authenticator, Caller } from '../auth/authenticator';
import type { Context } from '../context';
import { sharedSubscribe } from './sharedSubscriptionExecution';

type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

export interface GraphqlWsServer {
  /** Open sockets (for tests and metrics). */
  clientCount(): number;
  close(): Promise<void>;
}

export interface GraphqlWsOptions {
  authenticator: Authenticator;
  contextOf: (caller: Caller, headers: IncomingHttpHeaders) => Context;
  formatError: FormatError;
}

/** What the socket learnt at `connection_init`. */
interface SocketState {
  caller?: Caller;
  expiry?: NodeJS.Timeout;
}

export function serveGraphqlOverWebSocket(
  httpServer: Server,
  schema: GraphQLSchema,
  { authenticator, contextOf, formatError }: GraphqlWsOptions,
): GraphqlWsServer {
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const states = new WeakMap<object, SocketState>();
  // The same masking as over HTTP: an unexpected error is logged whole and reaches
  // the client as INTERNAL_SERVER_ERROR, never with its SQL or internals.
  const format = (errors: readonly GraphQLError[]) => errors.map((error) => formatError(error.toJSON(), error));
  const disposable = useServer(
    {
      schema,
      subscribe: sharedSubscribe,
      // Returning false closes the socket with 4403 Forbidden: the same rules as over HTTP
      // (a tenant, and with AUTH_MODE=jwt a token that may act for it).
      onConnect: async (ctx) => {
        let caller: Caller;
        try {
          caller = await authenticator.authenticate(headersOf(ctx.connectionParams));
        } catch {
          return false;
        }
        const state: SocketState = { caller };
        states.set(ctx.extra.socket, state);
        // A token that expires while the socket is open ends it then.
        if (caller.expiresAt !== null) {
          state.expiry = setTimeout(() => ctx.extra.socket.close(CloseCode.Forbidden, 'Token expired'), caller.expiresAt - Date.now());
          state.expiry.unref();
          ctx.extra.socket.once('close', () => clearTimeout(state.expiry));
        }
        return true;
      },
      context: (ctx) => contextOf(states.get(ctx.extra.socket)!.caller!, headersOf(ctx.connectionParams)),
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

/** The payload read like HTTP headers: names lowercased, only strings. */
function headersOf(params: Readonly<Record<string, unknown>> | undefined): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(params ?? {})) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
  }
  return headers;
}
