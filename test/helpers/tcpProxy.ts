/**
 * A TCP proxy on loopback in front of a server (PostgreSQL here), which a test can cut as a
 * network fault or a restart would: every connection through it ends at once, and new ones
 * are refused until it is restored.
 */
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Ends every connection through the proxy and refuses new ones until `restore()`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  let refusing = false;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    const pair = [client, upstream];
    const end = () => pair.forEach((socket) => (socket.destroy(), open.delete(socket)));
    for (const socket of pair) {
      open.add(socket);
      socket.on('error', end).on('close', end);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      refusing = true;
      for (const socket of [...open]) socket.destroy();
      open.clear();
    },
    restore() {
      refusing = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of [...open]) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
