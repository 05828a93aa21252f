/** The logger's promises: JSON lines at LOG_LEVEL, the request's and run's ids on each, no secret, bounded. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, type LogLevel } from '../../src/logger';
import { withLogContext } from '../../src/logging/logContext';

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
