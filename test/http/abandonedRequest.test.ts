/** `abandonedWith`: a request's signal aborts when its client goes before the answer, not after it. */
import { createServer, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { abandonedWith } from '../../src/http/abandonedRequest';

describe('abandonedWith', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  /** A server whose one request hands its response and signal to `handle`. */
  const serve = async (handle: (res: ServerResponse, signal: AbortSignal) => void): Promise<number> => {
    server = createServer((_req, res) => handle(res, abandonedWith(res)));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  };

  it('aborts when the client closes its connection before the answer', async () => {
    let signal: AbortSignal | undefined;
    const aborted = new Promise<void>((resolve) => {
      void serve((_res, given) => {
        signal = given;
        given.addEventListener('abort', () => resolve());
      }).then((port) => {
        const client = request({ port, host: '127.0.0.1', method: 'POST' });
        client.on('error', () => {});
        client.write('{}');
        // Gone once the server holds the request, before any answer.
        const gone = setInterval(() => {
          if (signal) {
            clearInterval(gone);
            client.destroy();
          }
        }, 5);
      });
    });
    await aborted;
    expect(signal!.aborted).toBe(true);
  });

  it('stays quiet once the answer was written, though the connection then closes', async () => {
    let signal: AbortSignal | undefined;
    let closed!: () => void;
    const responseClosed = new Promise<void>((resolve) => (closed = resolve));
    const port = await serve((res, given) => {
      signal = given;
      res.once('close', () => closed());
      res.end('done');
    });
    const body = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } }).then((response) => response.text());
    await responseClosed;
    expect(body).toBe('done');
    expect(signal!.aborted).toBe(false);
  });
});
