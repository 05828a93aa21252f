/**
 * A TCP relay on loopback in front of a server (the test server, PostgreSQL), which a test
 * cuts as a network fault or a restart would: `cut()` ends every connection through it at
 * once (no close frame, no goodbye), and until `restore()` new connections are refused (as
 * by a server that is down) or held (as by a network that is down: they go through as soon
 * as it is back).
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** `http://127.0.0.1:port` of the relay. */
  origin: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, options: { whileCut: 'refuse' | 'hold' }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let cut = false;
  let held: Socket[] = [];
  const pass = (client: Socket) => {
    if (client.destroyed) return;
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        open.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  };
  const server = createServer((client) => {
    client.on('error', () => {});
    if (!cut) pass(client);
    else if (options.whileCut === 'hold') held.push(client);
    else client.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    cut: () => {
      cut = true;
      for (const socket of open) socket.destroy();
    },
    restore: () => {
      cut = false;
      const waiting = held;
      held = [];
      waiting.forEach(pass);
    },
    close: async () => {
      for (const socket of [...open, ...held]) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
