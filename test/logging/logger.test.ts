/** The logger's promises: JSON lines at LOG_LEVEL, the request's and run's ids on each, no secret, bounded. */
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database';
import { createLogger, describeError, type LogLevel } from '../../src/logger';
import { withLogContext } from '../../src/logging/logContext';
import { storageTargets } from '../helpers/databases';

function capture(level?: LogLevel) {
  const lines: Record<string, any>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger({ level, destination }) };
}

describe('the logger', () => {
  it('writes one JSON object a line with time, level and message', () => {
    const { lines, logger } = capture();
    logger.info('Export job claimed', { jobId: 7 });
    expect(lines).toEqual([{ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), level: 'info', message: 'Export job claimed', jobId: 7 }]);
  });

  it('leaves out what is below LOG_LEVEL', () => {
    const { lines, logger } = capture('error');
    logger.info('not this');
    logger.error('this');
    expect(lines.map((line) => line.message)).toEqual(['this']);
  });

  it('adds the request id and job id of the context to every line, through awaits', async () => {
    const { lines, logger } = capture();
    await withLogContext({ requestId: 'req-1' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.info('inside a request');
      await withLogContext({ jobId: 42 }, async () => logger.error('inside a run it started'));
    });
    logger.info('outside');
    expect(lines.map(({ message, requestId, jobId }) => ({ message, requestId, jobId }))).toEqual([
      { message: 'inside a request', requestId: 'req-1', jobId: undefined },
      { message: 'inside a run it started', requestId: 'req-1', jobId: 42 },
      { message: 'outside', requestId: undefined, jobId: undefined },
    ]);
  });

  it('redacts credentials wherever a caller puts them, one level deep', () => {
    const { lines, logger } = capture();
    logger.info('call', {
      authorization: 'Bearer eyJ.secret',
      headers: { authorization: 'Bearer eyJ.secret', cookie: 'session=1' },
      webhook: { secret: 'whsec_abc' },
      token: 'eyJ.secret',
    });
    expect(JSON.stringify(lines)).not.toMatch(/eyJ\.secret|whsec_abc|session=1/);
    expect(lines[0]).toMatchObject({ authorization: '[redacted]', headers: { authorization: '[redacted]' } });
  });

  it('bounds every string and list, however large', () => {
    const { lines, logger } = capture();
    logger.error('huge', { sql: 'x'.repeat(100_000), params: Array.from({ length: 1_000 }, (_, i) => i), nested: { text: 'y'.repeat(50_000) } });
    const line = JSON.stringify(lines[0]);
    expect(line.length).toBeLessThan(50_000);
    expect(lines[0]!.sql).toMatch(/more characters cut\]$/);
    expect(lines[0]!.params).toHaveLength(101);
  });
});

describe.each(storageTargets)('a failed statement in a log line, on $name', (target) => {
  let database: Database;
  beforeAll(async () => {
    database = await target.open();
    await database.db.execute(sql`create table logged_secrets (secret text not null, n int not null check (n > 0))`);
  });
  afterAll(() => database?.close());

  it('names the statement and its error, never the values bound to it or the row it refused', async () => {
    const failure = await database.db
      .execute(sql`insert into logged_secrets (secret, n) values (${'whsec_NEVER_LOGGED'}, ${-1})`)
      .then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    const text = describeError(failure);
    expect(text).toContain('insert into logged_secrets');
    expect(text).toContain('[2 values not logged]');
    expect(text).toContain('logged_secrets_n_check');
    expect(text).not.toContain('NEVER_LOGGED');
  });

  it('leaves out a value that holds the text which starts the list of values, and the key of a unique violation', async () => {
    await database.db.execute(sql`create unique index logged_secrets_secret on logged_secrets (secret)`);
    await database.db.execute(sql`insert into logged_secrets (secret, n) values ('whsec_KEY_NEVER_LOGGED', 1)`);
    const failure = await database.db
      .execute(sql`insert into logged_secrets (secret, n) values (${'whsec_KEY_NEVER_LOGGED'}, ${1}), (${'a\nparams: b'}, ${2})`)
      .then(() => undefined, (error: unknown) => error);
    const text = describeError(failure);
    expect(text).toContain('logged_secrets_secret');
    expect(text).toContain('[4 values not logged]');
    expect(text).not.toContain('KEY_NEVER_LOGGED');
  });
});
