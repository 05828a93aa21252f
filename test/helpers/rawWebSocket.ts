/**
 * A WebSocket client written on a bare TCP socket, for what a well-behaved client
 * (the `ws` package) never does: keep sending after the server's close frame
 * without answering it. Text frames only, masked as a client's must be (RFC 6455).
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

export interface RawFrame {
  opcode: number;
  payload: Buffer;
}

export interface RawWebSocket {
  /** Sends `text` as one masked text frame, whatever the state of the connection. */
  send(text: string): void;
  /** The next frame the server sends (waits for it). */
  nextFrame(timeoutMs?: number): Promise<RawFrame>;
  /** Resolves when the connection is gone (the server ended it, or `destroy()`). */
  closed: Promise<void>;
  destroy(): void;
}

export async function openRawWebSocket(url: string, protocol: string): Promise<RawWebSocket> {
  const { hostname, port, pathname } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  socket.write(
    [
      `GET ${pathname} HTTP/1.1`,
      `Host: ${hostname}:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      `Sec-WebSocket-Protocol: ${protocol}`,
      '',
      '',
    ].join('\r\n'),
  );
  let buffered = Buffer.alloc(0);
  const frames: RawFrame[] = [];
  const waiting: Array<(frame: RawFrame) => void> = [];
  let upgraded = false;
  let answered!: (head: string) => void;
  const upgrade = new Promise<string>((resolve) => (answered = resolve));
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    if (!upgraded) {
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      answered(buffered.subarray(0, end).toString());
      upgraded = true;
      buffered = buffered.subarray(end + 4);
    }
    for (;;) {
      const frame = takeFrame();
      if (!frame) return;
      const waiter = waiting.shift();
      if (waiter) waiter(frame);
      else frames.push(frame);
    }
  });
  /** One whole server frame off the front of the buffer (servers do not mask). */
  function takeFrame(): RawFrame | undefined {
    if (buffered.length < 2) return undefined;
    let length = buffered[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (buffered.length < 4) return undefined;
      length = buffered.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (buffered.length < 10) return undefined;
      length = Number(buffered.readBigUInt64BE(2));
      offset = 10;
    }
    if (buffered.length < offset + length) return undefined;
    const frame = { opcode: buffered[0]! & 0x0f, payload: Buffer.from(buffered.subarray(offset, offset + length)) };
    buffered = buffered.subarray(offset + length);
    return frame;
  }
  const head = await upgrade;
  if (!head.startsWith('HTTP/1.1 101')) {
    socket.destroy();
    throw new Error(`No upgrade: ${head.split('\r\n')[0]}`);
  }
  return {
    send(text) {
      const payload = Buffer.from(text);
      const mask = randomBytes(4);
      const length =
        payload.length < 126
          ? Buffer.from([0x80 | payload.length])
          : Buffer.from([0x80 | 126, payload.length >> 8, payload.length & 0xff]);
      socket.write(Buffer.concat([Buffer.from([0x81]), length, mask, payload.map((byte, i) => byte ^ mask[i % 4]!)]));
    },
    nextFrame(timeoutMs = 10_000) {
      const ready = frames.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`No frame within ${timeoutMs} ms`)), timeoutMs);
        waiting.push((frame) => {
          clearTimeout(timer);
          resolve(frame);
        });
      });
    },
    closed: once(socket, 'close').then(() => {}),
    destroy: () => socket.destroy(),
  };
}
