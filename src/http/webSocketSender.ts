/**
 * The direct sender of one graphql-ws operation (sharedSubscriptionExecution.ts):
 * writes its `next` messages on the socket itself, the payload already JSON.
 * Its client's backlog is bounded: past CONGESTED_SOCKET_BYTES unsent the hub
 * skips progress for it, and past STALLED_SOCKET_BYTES the socket is closed
 * with 1013 (try again later), so a client that stopped reading cannot make
 * the server buffer status changes for ever. It can reconnect and resume
 * (`afterSequence`, `after`).
 */
import type { ExecutionResult, GraphQLError, GraphQLFormattedError } from 'graphql';
import type { WebSocket } from 'ws';
import type { DirectSender } from './sharedSubscriptionExecution';

/** Bytes a socket may have waiting to be written before progress events skip it (about a thousand of them). */
export const CONGESTED_SOCKET_BYTES = 256 * 1024;

/** Bytes waiting to be written past which the client is dropped rather than buffered for. */
export const STALLED_SOCKET_BYTES = 4 * CONGESTED_SOCKET_BYTES;

/** WebSocket close code 1013, "Try Again Later". */
export const TRY_AGAIN_LATER = 1013;

/** What of a `ws` socket the sender uses. */
export type SenderSocket = Pick<WebSocket, 'readyState' | 'OPEN' | 'bufferedAmount' | 'send' | 'close'>;

export function webSocketSender(
  socket: SenderSocket,
  id: string,
  /** Formats a result's errors as graphql-ws's onNext hook does (masking, spans). */
  formatErrors: (errors: readonly GraphQLError[]) => GraphQLFormattedError[],
): DirectSender {
  const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  const send = (message: string) => {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > STALLED_SOCKET_BYTES) {
      socket.close(TRY_AGAIN_LATER, 'Reading events too slowly');
      return;
    }
    socket.send(message);
  };
  return {
    sendJson: (payloadJson) => send(`${prefix}${payloadJson}}`),
    sendResult: (result: ExecutionResult) => {
      const errors = (result.errors ?? []) as readonly GraphQLError[];
      send(`${prefix}${JSON.stringify(errors.length > 0 ? { ...result, errors: formatErrors(errors) } : result)}}`);
    },
    congested: () => socket.bufferedAmount > CONGESTED_SOCKET_BYTES,
    gone: () => socket.readyState !== socket.OPEN,
  };
}
