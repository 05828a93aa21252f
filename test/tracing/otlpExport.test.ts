import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase, storageTargets } from '../helpers/databases';
import { startService, stopService, type ServiceProcess } from '../helpers/processes';
import { TENANT } from '../helpers/testServer';
import { waitUntil } from '../helpers/waitUntil';

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string };
}
interface OtlpSpan {
  traceId: string;
  parentSpanId?: string;
  name: string;
}
interface OtlpRequest {
  resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

interface Received {
  contentType: string | undefined;
  body: Buffer;
}

/** An OTLP/HTTP receiver on loopback, as a collector would be: it keeps every POST /v1/traces it gets. */
async function startOtlpReceiver(): Promise<{ endpoint: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      const body = Buffer.concat(chunks);
      received.push({
        contentType: req.headers['content-type'],
        body: req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body,
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe.each(storageTargets)('OTLP export on $name', (target) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A server exporting to a fresh receiver (with `env`), and one traced request of a caller's trace. */
  async function tracedRequest(env: Record<string, string>) {
    const receiver = await startOtlpReceiver();
    cleanups.push(receiver.close);
    let databaseUrl = 'memory://';
    if (target.name === 'postgres') {
      const database = await createPostgresDatabase();
      cleanups.push(database.drop);
      databaseUrl = database.url;
    }
    const service: ServiceProcess = await startService('serve', {
      DATABASE_URL: databaseUrl,
      RUNNER_CONCURRENCY: '0',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      // Sent at once rather than every 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '20',
      ...env,
    });
    cleanups.push(() => stopService(service));
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const response = await fetch(service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpanId}-01`, ...TENANT },
      body: JSON.stringify({ query: 'query Probe { __typename }' }),
    });
    expect(response.status).toBe(200);
    return { received: receiver.received, traceId, callerSpanId };
  }

  it('sends a served request’s spans, under the service’s name, in OTLP/JSON with OTEL_EXPORTER_OTLP_PROTOCOL=http/json', async () => {
    const { received, traceId, callerSpanId } = await tracedRequest({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    const spansOfTrace = () =>
      received.flatMap(({ contentType, body }) => {
        expect(contentType).toBe('application/json');
        const request = JSON.parse(body.toString('utf8')) as OtlpRequest;
        return request.resourceSpans.flatMap((resourceSpans) =>
          resourceSpans.scopeSpans.flatMap((scope) =>
            scope.spans
              .filter((span) => span.traceId === traceId)
              .map((span) => ({ span, resource: resourceSpans.resource })),
          ),
        );
      });
    await waitUntil(() => spansOfTrace().some(({ span }) => span.name === 'query Probe'));
    // The request's server span, named after its one operation.
    const request = spansOfTrace().find(({ span }) => span.name === 'query Probe');
    expect(request?.span.parentSpanId).toBe(callerSpanId);
    const serviceName = request?.resource.attributes.find((attribute) => attribute.key === 'service.name');
    expect(serviceName?.value.stringValue).toBe('export-jobs-gateway');
  });

  it('sends them in OTLP/protobuf by default', async () => {
    const { received, traceId, callerSpanId } = await tracedRequest({});
    // Protobuf keeps ids as raw bytes and strings as UTF-8: both are found in the encoded request.
    const bodyOfTrace = () => received.find(({ body }) => body.includes(Buffer.from(traceId, 'hex')));
    await waitUntil(() => bodyOfTrace()?.body.includes('query Probe') === true);
    const { contentType, body } = bodyOfTrace()!;
    expect(contentType).toBe('application/x-protobuf');
    expect(body.includes('/graphql')).toBe(true);
    expect(body.includes(Buffer.from(callerSpanId, 'hex'))).toBe(true);
    expect(body.includes('export-jobs-gateway')).toBe(true);
  });
});
