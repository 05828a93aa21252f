import { randomBytes } from 'node:crypto';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { exportJobs } from '../../src/db/schema';
import { CREATE_EXPORT_JOB } from '../fixtures/operations';
import { storageTargets } from '../helpers/databases';
import { ingest, waitForJob } from '../helpers/exportFlow';
import { createDataset, jobInput } from '../helpers/seedApi';
import { collect, subscriptionClient } from '../helpers/subscriptions';
import { startTestServer, TENANT, type TestServer } from '../helpers/testServer';
import { waitUntil } from '../helpers/waitUntil';

const TOKEN = 'secret-token-never-in-a-trace';
const IDEMPOTENCY_KEY = 'a-parameter-never-in-a-trace';

/** A router's trace, as it would send it: `traceparent` with a fresh trace id and its span as our parent. */
function callerTrace(): { traceId: string; spanId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;

describe.each(storageTargets)('traces on $name', (target) => {
  let api: TestServer | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  /** Creates a job with the caller's `traceparent` (and a token) and lets the runner finish it. */
  async function createAndRunJob(server: TestServer, traceparent: string): Promise<string> {
    await ingest(server, Array.from({ length: 120 }, (_, n) => ({ profileId: `p${String(n).padStart(4, '0')}` })));
    const datasetId = await createDataset(server);
    const input = jobInput(datasetId, { fields: null, filter: null, idempotencyKey: IDEMPOTENCY_KEY });
    const headers = { ...TENANT, traceparent, authorization: `Bearer ${TOKEN}` };
    const response = await server.graphql(CREATE_EXPORT_JOB, { input }, headers);
    expect(response.errors).toBeUndefined();
    const jobId = response.data!.createExportJob.id as string;
    expect((await waitForJob(server, jobId)).status).toBe('SUCCEEDED');
    return jobId;
  }

  it('continues the caller’s trace through the request, the mutation, its SQL and the job’s run and chunks', async () => {
    const exporter = new InMemorySpanExporter();
    api = await startTestServer(target, { concurrency: 1, chunkSize: 50 }, {}, {}, { tracing: { exporter } });
    const caller = callerTrace();
    await createAndRunJob(api, caller.traceparent);
    const inTrace = () => exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === caller.traceId);
    await waitUntil(() => inTrace().some((span) => span.name === 'export job run'));
    const spans = inTrace();

    // The request's server span is its one operation's: named after it, with both's attributes.
    const request = spans.find((span) => span.kind === SpanKind.SERVER);
    expect(request).toMatchObject({ name: 'mutation CreateExportJob' });
    expect(parentOf(request!)).toBe(caller.spanId);
    expect(request!.attributes).toEqual({
      'http.request.method': 'POST',
      'url.path': '/graphql',
      'url.scheme': 'http',
      'http.route': '/graphql',
      'http.response.status_code': 200,
      'graphql.operation.type': 'mutation',
      'graphql.operation.name': 'CreateExportJob',
      'tenant.org_id': TENANT['x-gw-ims-org-id'],
      'tenant.sandbox_name': TENANT['x-sandbox-name'],
    });
    expect(spans.filter((span) => span.name === 'mutation CreateExportJob')).toHaveLength(1);

    const statements = spans.filter((span) => span.kind === SpanKind.CLIENT && parentOf(span) === idOf(request!));
    const insert = statements.find((span) => /^insert into "export_jobs"/.test(String(span.attributes['db.statement'])));
    expect(insert?.attributes).toMatchObject({ 'db.system': 'postgresql' });
    expect(insert!.attributes['db.statement']).toMatch(/\$1/);

    // The run continues the trace of the request that created the job, under its operation.
    const run = spans.find((span) => span.name === 'export job run')!;
    expect(parentOf(run)).toBe(idOf(request!));
    expect(run.attributes).toMatchObject({ 'export_job.outcome': 'succeeded', 'tenant.org_id': TENANT['x-gw-ims-org-id'] });
    const chunks = spans.filter((span) => span.name === 'export chunk');
    expect(chunks.length).toBeGreaterThanOrEqual(3); // 120 profiles, at most 50 a chunk
    for (const chunk of chunks) expect(parentOf(chunk)).toBe(idOf(run));
    const chunkStatements = spans.filter((span) => chunks.some((chunk) => parentOf(span) === idOf(chunk)));
    expect(chunkStatements.length).toBeGreaterThanOrEqual(chunks.length);

    // Nothing secret anywhere: no token, no header, no parameter.
    const everything = JSON.stringify(exporter.getFinishedSpans().map((span) => [span.name, span.attributes]));
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(IDEMPOTENCY_KEY);
    expect(everything).not.toMatch(/authorization/i);
  });

  it('gives each operation of a batch a span of its own under the request’s, which keeps its HTTP name', async () => {
    const exporter = new InMemorySpanExporter();
    api = await startTestServer(target, {}, {}, {}, { tracing: { exporter } });
    const caller = callerTrace();
    const response = await fetch(api.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...TENANT, traceparent: caller.traceparent },
      body: JSON.stringify([
        { query: 'query First { exportJobs(first: 1) { totalCount } }' },
        { query: 'query Second { exportJob(id: "no-such-job") { id } }' },
      ]),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as unknown[]).length).toBe(2);
    const inTrace = () => exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === caller.traceId);
    await waitUntil(() => inTrace().some((span) => span.kind === SpanKind.SERVER));
    const request = inTrace().find((span) => span.kind === SpanKind.SERVER)!;
    expect(request.name).toBe('POST /graphql');
    expect(request.attributes['graphql.operation.name']).toBeUndefined();
    const operations = inTrace().filter((span) => span.kind === SpanKind.INTERNAL);
    expect(operations.map((span) => span.name).sort()).toEqual(['query First', 'query Second']);
    for (const operation of operations) expect(parentOf(operation)).toBe(idOf(request));
    // The page's SQL runs under the operation that sent it.
    const first = operations.find((span) => span.name === 'query First')!;
    expect(inTrace().some((span) => span.kind === SpanKind.CLIENT && parentOf(span) === idOf(first))).toBe(true);
  });

  it('marks the request’s span failed, with the count, when its operation answers errors', async () => {
    const exporter = new InMemorySpanExporter();
    api = await startTestServer(target, {}, {}, {}, { tracing: { exporter } });
    const caller = callerTrace();
    const answer = await api.graphql('query Refused { exportJobs(first: -1) { totalCount } }', {}, { ...TENANT, traceparent: caller.traceparent });
    expect(answer.errors?.length).toBe(1);
    const inTrace = () => exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === caller.traceId);
    await waitUntil(() => inTrace().some((span) => span.kind === SpanKind.SERVER));
    const request = inTrace().find((span) => span.kind === SpanKind.SERVER)!;
    expect(request).toMatchObject({ name: 'query Refused', status: { code: SpanStatusCode.ERROR } });
    expect(request.attributes).toMatchObject({ 'graphql.errors': 1, 'http.response.status_code': 200 });
  });

  it('traces each operation over graphql-ws from its subscribe to its end, in the trace the connection named', async () => {
    const exporter = new InMemorySpanExporter();
    api = await startTestServer(target, {}, {}, {}, { tracing: { exporter } });
    const datasetId = await createDataset(api);
    const created = await api.graphql(CREATE_EXPORT_JOB, { input: jobInput(datasetId, { fields: null, filter: null }) });
    const jobId = created.data!.createExportJob.id as string;
    const caller = callerTrace();
    const client = subscriptionClient(api, { ...TENANT, traceparent: caller.traceparent, authorization: `Bearer ${TOKEN}` });
    try {
      // Told the job's creation again, then completed by the client.
      const watched = collect(client, { id: jobId, afterSequence: 0 }, (events) => events.length === 1);
      await watched.done;
      expect(watched.events.map((event) => event.type)).toEqual(['CREATED']);
      // A cursor that is no event's: the operation ends in an error.
      const refused = await collect(client, { after: 'not-a-cursor' }).done;
      expect(refused.completed).toBe(false);
      expect(refused.errors).toEqual([
        expect.objectContaining({
          message: '`after` is not a cursor of this list',
          extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'after' }),
        }),
      ]);
    } finally {
      await client.dispose();
    }
    const inTrace = () => exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === caller.traceId);
    await waitUntil(() => inTrace().length === 2);
    const [completed, failed] = inTrace();
    expect(completed).toMatchObject({ name: 'subscription Watch', kind: SpanKind.SERVER });
    expect(parentOf(completed!)).toBe(caller.spanId);
    expect(completed!.attributes).toEqual({
      'graphql.operation.type': 'subscription',
      'graphql.operation.name': 'Watch',
      'network.protocol.name': 'websocket',
      'tenant.org_id': TENANT['x-gw-ims-org-id'],
      'tenant.sandbox_name': TENANT['x-sandbox-name'],
    });
    expect(completed!.status.code).toBe(SpanStatusCode.UNSET);
    expect(failed).toMatchObject({ name: 'subscription Watch', status: { code: SpanStatusCode.ERROR } });
    // The span counts the one error the client was told.
    expect(failed!.attributes).toMatchObject({ 'graphql.errors': 1 });
    expect(JSON.stringify(inTrace().map((span) => span.attributes))).not.toContain(TOKEN);
  });

  it('runs a mutation over graphql-ws in its span: its statements beneath it, and its job keeps the trace', async () => {
    const exporter = new InMemorySpanExporter();
    api = await startTestServer(target, { concurrency: 0 }, {}, {}, { tracing: { exporter } });
    const datasetId = await createDataset(api);
    const caller = callerTrace();
    const client = subscriptionClient(api, { ...TENANT, traceparent: caller.traceparent, authorization: `Bearer ${TOKEN}` });
    let jobId: string;
    try {
      const result = await new Promise<{ data?: { createExportJob: { id: string } } }>((resolve, reject) => {
        let last: { data?: { createExportJob: { id: string } } } = {};
        client.subscribe(
          { query: CREATE_EXPORT_JOB, variables: { input: jobInput(datasetId, { fields: null, filter: null }) } },
          { next: (value) => (last = value as typeof last), error: reject, complete: () => resolve(last) },
        );
      });
      jobId = result.data!.createExportJob.id;
    } finally {
      await client.dispose();
    }
    const [job] = await api.database.db.select().from(exportJobs).where(eq(exportJobs.id, Number(jobId)));
    expect(job?.traceParent).toMatch(new RegExp(`^00-${caller.traceId}-[0-9a-f]{16}-01$`));
    const inTrace = () => exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === caller.traceId);
    await waitUntil(() => inTrace().some((span) => span.attributes['graphql.operation.type'] === 'mutation'));
    const operation = inTrace().find((span) => span.attributes['graphql.operation.type'] === 'mutation')!;
    expect(parentOf(operation)).toBe(caller.spanId);
    const statements = inTrace().filter((span) => span.attributes['db.system'] === 'postgresql');
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) expect(parentOf(statement)).toBe(operation.spanContext().spanId);
  });

  it('records nothing and stores no trace with a job when tracing is off', async () => {
    api = await startTestServer(target, { concurrency: 1, chunkSize: 50 });
    const jobId = await createAndRunJob(api, callerTrace().traceparent);
    // No SDK is registered: whatever asks for a span gets the API's no-op.
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
    const [job] = await api.database.db.select().from(exportJobs).where(eq(exportJobs.id, Number(jobId)));
    expect(job?.traceParent).toBeNull();
  });
});
