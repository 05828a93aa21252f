/** The direct sender of a graphql-ws operation: its messages, and the bounds on a client that stops reading. */
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  CONGESTED_SOCKET_BYTES,
  STALLED_SOCKET_BYTES,
  TRY_AGAIN_LATER,
  webSocketSender,
  type SenderSocket,
} from '../../src/http/webSocketSender';

/** A socket whose unsent bytes the test sets; it records what is sent and how it is closed. */
function fakeSocket() {
  const socket = {
    OPEN: 1 as const,
    readyState: 1 as SenderSocket['readyState'],
    bufferedAmount: 0,
    sent: [] as string[],
    closed: [] as [number | undefined, string | undefined][],
    send(message: string) {
      socket.sent.push(message);
    },
    close(code?: number, reason?: string) {
      socket.closed.push([code, reason]);
      socket.readyState = 2;
    },
  };
  return socket;
}

const noFormatting = (errors: readonly GraphQLError[]) => errors.map((error) => ({ message: `formatted: ${error.message}` }));

describe('webSocketSender', () => {
  it('writes graphql-transport-ws next messages around the shared JSON, with the operation’s id', () => {
    const socket = fakeSocket();
    const sender = webSocketSender(socket as unknown as SenderSocket, 'op-"1"', noFormatting);
    sender.sendJson('{"data":{"n":1}}');
    expect(socket.sent.map((message) => JSON.parse(message))).toEqual([{ id: 'op-"1"', type: 'next', payload: { data: { n: 1 } } }]);
  });

  it('formats a result’s errors as the onNext hook does', () => {
    const socket = fakeSocket();
    const sender = webSocketSender(socket as unknown as SenderSocket, '7', noFormatting);
    sender.sendResult({ data: { n: null }, errors: [new GraphQLError('boom')] });
    expect(JSON.parse(socket.sent[0]!)).toEqual({ id: '7', type: 'next', payload: { data: { n: null }, errors: [{ message: 'formatted: boom' }] } });
  });

  it('says congested past its threshold, and closes the socket with 1013 instead of buffering past the stall bound', () => {
    const socket = fakeSocket();
    const sender = webSocketSender(socket as unknown as SenderSocket, '1', noFormatting);
    socket.bufferedAmount = CONGESTED_SOCKET_BYTES;
    expect(sender.congested()).toBe(false);
    socket.bufferedAmount = CONGESTED_SOCKET_BYTES + 1;
    expect(sender.congested()).toBe(true);
    sender.sendJson('{"data":1}');
    expect(socket.sent).toHaveLength(1);
    socket.bufferedAmount = STALLED_SOCKET_BYTES + 1;
    sender.sendJson('{"data":2}');
    expect(socket.sent).toHaveLength(1);
    expect(socket.closed).toEqual([[TRY_AGAIN_LATER, 'Reading events too slowly']]);
    // Closing: nothing more is written.
    socket.bufferedAmount = 0;
    sender.sendJson('{"data":3}');
    expect(socket.sent).toHaveLength(1);
  });
});
