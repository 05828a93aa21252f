/**
 * The request span an operation names (src/tracing/requestSpan.ts): taken once,
 * never once ended, and ended only after the operation that named it settles.
 */
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedContextManager } from '../../src/context/asyncContext';
import { asSeparateOperations, endAfterOperation, offerToOperation, operationRunsIn, requestSpanToName } from '../../src/tracing/requestSpan';

const exporter = new InMemorySpanExporter();
const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('test');

describe('the request span an operation names', () => {
  beforeAll(() => context.setGlobalContextManager(sharedContextManager));
  afterAll(() => context.disable());

  const inRequest = <T>(work: (span: ReturnType<typeof tracer.startSpan>) => T): T => {
    const span = tracer.startSpan('POST /graphql');
    offerToOperation(span);
    return context.with(trace.setSpan(context.active(), span), () => work(span));
  };

  it('is taken by the first operation only', () => {
    inRequest((span) => {
      expect(requestSpanToName()).toBe(span);
      expect(requestSpanToName()).toBeUndefined();
      span.end();
    });
  });

  it('is not taken in a batch', () => {
    inRequest((span) => {
      expect(asSeparateOperations(() => requestSpanToName())).toBeUndefined();
      span.end();
    });
  });

  it('is not taken once its response closed, and ends then', () => {
    inRequest((span) => {
      endAfterOperation(span, () => span.end());
      expect(span.isRecording()).toBe(false);
      expect(requestSpanToName()).toBeUndefined();
    });
  });

  it('ends after the operation that named it, when its client went away first', async () => {
    let finish!: () => void;
    const operation = new Promise<void>((resolve) => (finish = resolve));
    const span = inRequest((request) => {
      const named = requestSpanToName()!;
      operationRunsIn(named, operation);
      return request;
    });
    endAfterOperation(span, () => span.end());
    await Promise.resolve();
    expect(span.isRecording()).toBe(true);
    span.setAttribute('graphql.errors', 1);
    finish();
    await operation;
    await Promise.resolve();
    expect(span.isRecording()).toBe(false);
    const ended = exporter.getFinishedSpans().find((finished) => finished.spanContext().spanId === span.spanContext().spanId);
    expect(ended?.attributes['graphql.errors']).toBe(1);
  });
});
