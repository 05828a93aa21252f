/** `GET /metrics`: the Prometheus text exposition of a `MetricsSource`. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError, type Logger } from '../logger';
import type { MetricsSource } from '../metrics/metricsSource';
import { refusedUnlessRead } from './readOnlyEndpoint';

export const METRICS_PATH = '/metrics';

export function metricsHandler(source: MetricsSource, logger: Logger) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (refusedUnlessRead(req, res)) return;
    try {
      const text = await source.text();
      res.setHeader('content-type', source.contentType);
      res.setHeader('cache-control', 'no-store');
      res.end(text);
    } catch (error: unknown) {
      logger.error('Collecting metrics failed', { error: describeError(error) });
      res.statusCode = 503;
      res.end('Metrics unavailable');
    }
  };
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** A server of its own for `/metrics` (METRICS_PORT), answering nothing else. */
export async function serveMetricsPort(source: MetricsSource, port: number, host: string | undefined, logger: Logger): Promise<MetricsServer> {
  const handle = metricsHandler(source, logger);
  const server: Server = createServer((req, res) => {
    if ((req.url ?? '/').split('?')[0] === METRICS_PATH) return void handle(req, res);
    res.statusCode = 404;
    res.end('Not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
