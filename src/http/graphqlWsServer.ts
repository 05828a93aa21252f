/**
 * GraphQL subscriptions over graphql-ws (the `graphql-transport-ws` protocol)
 * on the HTTP server's own port and path. The tenant headers travel in the
 * `connection_init` payload; without an organisation the socket is closed with
 * 4403, and so is a socket whose token expires, at its `exp`. The ws adapter pings every 12 s and drops sockets that stop answering.
 * Each operation gets a span from its subscribe to its end (when tracing is on).
 */
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import {
  execute,
  type ExecutionArgs,
  type GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ParseOptions,
  type ValidationRule,
} from 'graphql';
import { context, ROOT_CONTEXT, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { CloseCode } from 'graphql-ws';
import type { Authenticator, Caller } from '../auth/authenticator';
import { contextOfEvent, sharingScopeOf, type Context } from '../context';
import { ErrorCode, GatewayError } from '../errors';
import type { LimitOptions } from '../limits/limitOptions';
import type { TenantRateLimiter } from '../limits/tenantRateLimiter';
import { startWebSocketOperationSpan } from '../tracing/webSocketOperationSpan';
import { sharedSubscriber, type DirectSender } from './sharedSubscriptionExecution';
import { TRY_AGAIN_LATER, webSocketSender } from './webSocketSender';
import { webSocketOperation } from './webSocketOperation';
import { callAt } from '../callAt';
import { withLogContext } from '../logging/logContext';

type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** How long a shutdown waits for a client to answer its close frame before it ends the socket. */
const CLOSE_ANSWER_MS = 1_000;

export interface GraphqlWsServer {
  /** Open sockets (for tests and metrics). */
  clientCount(): number;
  close(): Promise<void>;
}

export interface GraphqlWsOptions {
  authenticator: Authenticator;
  /** How a document is parsed and validated: the same bounds as over HTTP. */
  parseOptions: ParseOptions;
  validationRules: readonly ValidationRule[];
  /** Counts each subscribe as a request of the tenant. */
  rateLimiter: TenantRateLimiter;
  limits: Pick<LimitOptions, 'wsMessageBytes' | 'wsSubscriptions' | 'wsConnectionsPerTenant'>;
  /** `abandoned`: aborted when the socket closes. */
  contextOf: (caller: Caller, headers: IncomingHttpHeaders, abandoned: AbortSignal) => Context;
  formatError: FormatError;
  /** Whether each operation gets a span (tracing on); off, nothing of tracing runs on a subscribe. */
  traced: boolean;
  /** A handshake to refuse with 403 before it becomes a socket (browserOrigin.ts). */
  refusesHandshake?: (request: IncomingMessage) => boolean;
}

/**
 * A socket closed because its tenant holds LIMIT_WS_CONNECTIONS_PER_TENANT
 * sockets on this process already (4429 is graphql-ws's own "too many
 * initialisation requests").
 */
export const TOO_MANY_CONNECTIONS = 4430;

/** What the socket learnt at `connection_init`, and what it has open. */
interface SocketState {
  caller: Caller;
  /**
   * The operations open on the socket, by their subscribe message's payload rather than
   * their id: a client may complete an id and subscribe with it again at once, and the old
   * operation's onComplete, which comes after the new subscribe, must not take the new one's place.
   */
  subscriptions: Set<Operation>;
  /** The span of each operation open on the socket (`startWebSocketOperationSpan`). */
  spans: Map<Operation, Span>;
  /** Aborted when the socket closes: its operations' work for nobody stops (`Context.abandoned`). */
  closed: AbortController;
}

/** An operation of a socket: its subscribe message's payload, which graphql-ws hands every hook of it. */
type Operation = object;

export function serveGraphqlOverWebSocket(
  httpServer: Server,
  schema: GraphQLSchema,
  { authenticator, parseOptions, validationRules, rateLimiter, limits, contextOf, formatError, traced, refusesHandshake }: GraphqlWsOptions,
): GraphqlWsServer {
  // A larger message is refused by ws itself (close 1009) before anyone parses it. Upgrades are
  // handed over here rather than ws listening on the HTTP server: ws would forward the server's
  // own errors (a port in use at start) to graphql-ws, which prints them as plain text.
  const wss = new WebSocketServer({
    noServer: true,
    path: '/graphql',
    maxPayload: limits.wsMessageBytes,
    verifyClient: ({ req }, accept) => (refusesHandshake?.(req) ? accept(false, 403, 'Forbidden') : accept(true)),
  });
  const upgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) =>
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  httpServer.on('upgrade', upgrade);
  const states = new WeakMap<object, SocketState>();
  const socketsByTenant = new Map<string, number>();
  // Errors of operation `id` as its client gets them (onNext, onError, the direct sender), its span
  // marked failed. The same masking as over HTTP: an unexpected error is logged whole and reaches
  // the client as INTERNAL_SERVER_ERROR, never with its SQL or internals.
  const failedWith = (state: SocketState | undefined, operation: Operation, errors: readonly GraphQLError[]) => {
    markFailed(state, operation, errors.length);
    // Logged (an unexpected error) with the operation's request id, as over HTTP.
    return withRequestId(requestIds.get(operation), () => errors.map((error) => formatError(error.toJSON(), error)));
  };
  // Each operation's request id, as its context took it: its log lines carry it.
  const requestIds = new WeakMap<Operation, string>();
  // Each operation's execution args, as onSubscribe made them, to the sender of its socket and id.
  const senders = new WeakMap<ExecutionArgs, DirectSender>();
  // And to its span (tracing on), which its execution runs in.
  const operationSpans = new WeakMap<ExecutionArgs, Span>();
  const disposable = useServer(
    {
      schema,
      subscribe: sharedSubscriber(
        (args) => senders.get(args),
        (context) => sharingScopeOf(context as Context),
        (context) => contextOfEvent(context as Context),
      ),
      // Returning false closes the socket with 4403 Forbidden: the same rules as over HTTP
      // (a tenant, and with AUTH_MODE=jwt a token that may act for it).
      onConnect: async (ctx) => {
        let caller: Caller;
        try {
          caller = await authenticator.authenticate(headersOf(ctx.connectionParams));
        } catch (error: unknown) {
          // Tokens cannot be verified for a moment (the key set is unreachable): try again, not 4403.
          if (error instanceof GatewayError && error.code === ErrorCode.SERVICE_UNAVAILABLE) {
            ctx.extra.socket.close(TRY_AGAIN_LATER, error.message);
          }
          return false;
        }
        const socket = ctx.extra.socket;
        // Closed while its token was verified: its 'close' has passed, and would never give back a count taken now.
        if (socket.readyState !== socket.OPEN) return false;
        const tenant = tenantKey(caller.tenant);
        const open = socketsByTenant.get(tenant) ?? 0;
        if (open >= limits.wsConnectionsPerTenant) {
          socket.close(TOO_MANY_CONNECTIONS, 'Too many connections for this tenant');
          return false;
        }
        socketsByTenant.set(tenant, open + 1);
        const state: SocketState = { caller, subscriptions: new Set(), spans: new Map(), closed: new AbortController() };
        states.set(socket, state);
        // A token that expires while the socket is open ends it then.
        const cancelExpiry =
          caller.expiresAt === null ? undefined : callAt(caller.expiresAt, () => socket.close(CloseCode.Forbidden, 'Token expired'));
        socket.once('close', () => {
          state.closed.abort();
          cancelExpiry?.();
          for (const span of state.spans.values()) span.end();
          state.spans.clear();
          const left = (socketsByTenant.get(tenant) ?? 1) - 1;
          if (left > 0) socketsByTenant.set(tenant, left);
          else socketsByTenant.delete(tenant);
        });
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        const socket = ctx.extra.socket;
        const state = states.get(socket)!;
        // A socket we closed (its token expired) goes on reading frames until the client
        // answers the close, up to 30 s with `ws`: nothing it sends then may run.
        const closing = () => socket.readyState !== socket.OPEN || (state.caller.expiresAt !== null && state.caller.expiresAt <= Date.now());
        const closingError = () => [new GatewayError(ErrorCode.UNAUTHENTICATED, 'This connection is closing: its token has expired or the server ended it')];
        if (closing()) return closingError();
        if (state.subscriptions.size >= limits.wsSubscriptions) {
          return [
            new GatewayError(
              ErrorCode.TOO_MANY_SUBSCRIPTIONS,
              `A connection may hold at most ${limits.wsSubscriptions} subscriptions`,
            ),
          ];
        }
        // Counted before the wait below: subscribes arriving together must see each other.
        state.subscriptions.add(payload);
        try {
          await rateLimiter.consume(state.caller.tenant);
        } catch (error: unknown) {
          state.subscriptions.delete(payload);
          if (error instanceof GatewayError) return [error];
          throw error;
        }
        // Looked at again: the token may have expired while the limiter was asked.
        if (closing()) {
          state.subscriptions.delete(payload);
          return closingError();
        }
        const operation = webSocketOperation(schema, payload, parseOptions, validationRules);
        if (Array.isArray(operation)) {
          state.subscriptions.delete(payload);
          return operation;
        }
        const execArgs: ExecutionArgs = { schema, ...operation };
        if (traced) {
          const span = startWebSocketOperationSpan(operation, state.caller.tenant, headersOf(ctx.connectionParams));
          state.spans.set(payload, span);
          operationSpans.set(execArgs, span);
        }
        senders.set(
          execArgs,
          webSocketSender(ctx.extra.socket, id, (errors) => failedWith(state, payload, errors)),
        );
        return execArgs;
      },
      onComplete: (ctx, _id, payload) => {
        const state = states.get(ctx.extra.socket);
        state?.subscriptions.delete(payload);
        endSpan(state, payload);
      },
      // The connection_init payload stands for the request's headers, but the Host is the
      // transport's, as over HTTP: the one the client reached, where its download links point.
      context: (ctx, _id, payload) => {
        const state = states.get(ctx.extra.socket)!;
        const context = contextOf(state.caller, { ...headersOf(ctx.connectionParams), host: ctx.extra.request.headers.host }, state.closed.signal);
        requestIds.set(payload, context.requestId);
        return context;
      },
      // What a resolver logs while the operation runs carries its request id. A query or mutation
      // runs in its span, as over HTTP: its statements are children, and a job it creates continues
      // the trace. A subscription does not: each event's work would hang under it for hours.
      execute: (args) => {
        const run = () => withRequestId((args.contextValue as Context).requestId, () => execute(args));
        const span = operationSpans.get(args);
        return span ? context.with(trace.setSpan(ROOT_CONTEXT, span), run) : run();
      },
      onNext: (ctx, _id, payload, _args, result) => {
        if (!result.errors?.length) return result;
        return { ...result, errors: failedWith(states.get(ctx.extra.socket), payload, result.errors as GraphQLError[]) };
      },
      onError: (ctx, _id, payload, errors) => {
        const state = states.get(ctx.extra.socket);
        state?.subscriptions.delete(payload);
        const formatted = failedWith(state, payload, errors);
        endSpan(state, payload);
        return formatted;
      },
    },
    wss,
  );
  return {
    clientCount: () => wss.clients.size,
    close: async () => {
      // dispose() sends every client a close frame and waits until each has answered it or
      // ws's closeTimeout (30 s) ends it: one client that never answers held the shutdown,
      // and the runner's hand-back behind it, past a supervisor's grace period.
      const unanswered = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, CLOSE_ANSWER_MS);
      httpServer.off('upgrade', upgrade);
      try {
        await disposable.dispose();
      } finally {
        clearTimeout(unanswered);
      }
    },
  };
}

/** Marks the span of `operation` failed: a result of it carried `errors`. */
function markFailed(state: SocketState | undefined, operation: Operation, errors: number): void {
  const span = state?.spans.get(operation);
  span?.setAttribute('graphql.errors', errors);
  span?.setStatus({ code: SpanStatusCode.ERROR });
}

function endSpan(state: SocketState | undefined, operation: Operation): void {
  state?.spans.get(operation)?.end();
  state?.spans.delete(operation);
}

function tenantKey({ orgId, sandboxName }: Caller['tenant']): string {
  return `${orgId}\n${sandboxName}`;
}

/** The payload read like HTTP headers: names lowercased, only strings. */
function headersOf(params: Readonly<Record<string, unknown>> | undefined): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(params ?? {})) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
  }
  return headers;
}

/** `work` in the log context of `requestId`, when there is one. */
function withRequestId<T>(requestId: string | undefined, work: () => T): T {
  return requestId === undefined ? work() : withLogContext({ requestId }, work);
}
