/**
 * A failed span names its error without a value of the statement: spans leave the
 * process for a collector that keeps them, while a failed statement's error quotes its
 * SQL and parameters, and PostgreSQL's own message may quote the value it refused.
 */
import { sql } from 'drizzle-orm';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database';
import { failSpan } from '../../src/tracing/tracer';
import { MAX_SPAN_MESSAGE_CHARS } from '../../src/tracing/spanErrorMessage';
import { storageTargets } from '../helpers/databases';

const exporter = new InMemorySpanExporter();
const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('test');
const SECRET = `whsec_${'A'.repeat(5_000)}`;

/** The status message of a span failed by what `work` throws. */
async function statusOfFailed(work: () => Promise<unknown>): Promise<string> {
  exporter.reset();
  const span = tracer.startSpan('work');
  const error = await work().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeDefined();
  failSpan(span, error);
  span.end();
  return exporter.getFinishedSpans()[0]!.status.message ?? '';
}

describe.each(storageTargets)('failed spans on $name', (target) => {
  let database: Database;
  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(() => database?.close());

  it('name a refused value by its SQLSTATE only, never the value nor the statement', async () => {
    const message = await statusOfFailed(() => database.db.execute(sql`select ${SECRET}::int as n`));
    expect(message).toBe('PostgreSQL error 22P02');
  });

  it('name a violated key by its SQLSTATE only: the error quotes the key', async () => {
    await database.db.execute(sql`create table span_keys (k text primary key)`);
    await database.db.execute(sql`insert into span_keys values (${SECRET})`);
    const duplicate = await statusOfFailed(() => database.db.execute(sql`insert into span_keys values (${SECRET})`));
    expect(duplicate).toBe('PostgreSQL error 23505');
  });
});

describe('failed spans on postgres: a statement timeout', () => {
  let database: Database;
  beforeAll(async () => {
    database = await storageTargets.find((target) => target.name === 'postgres')!.open();
  });
  afterAll(() => database?.close());

  it('says what ended the statement, a message with no value in it', async () => {
    const message = await statusOfFailed(() =>
      database.db.transaction(async (tx) => {
        await tx.execute(sql`set local statement_timeout = 50`);
        await tx.execute(sql`select pg_sleep(1), ${SECRET}::text`);
      }),
    );
    expect(message).toBe('PostgreSQL error 57014: canceling statement due to statement timeout');
  });
});

describe('failed spans: any other error', () => {
  it('keep its message, cut short', async () => {
    expect(await statusOfFailed(async () => Promise.reject(new Error('No such job')))).toBe('No such job');
    // Five capitals without a digit are a socket's code, not a SQLSTATE.
    const socket = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    expect(await statusOfFailed(async () => Promise.reject(socket))).toBe('write EPIPE');
    const long = await statusOfFailed(async () => Promise.reject(new Error(SECRET)));
    expect(long.length).toBeLessThanOrEqual(MAX_SPAN_MESSAGE_CHARS + 10);
    expect(long.endsWith('… [cut]')).toBe(true);
  });
});
