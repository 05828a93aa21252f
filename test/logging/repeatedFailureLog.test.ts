/** A failure that repeats every poll is logged once a minute at most, with how many it stands for, and its end. */
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/logger';
import { repeatedFailureLog } from '../../src/logging/repeatedFailureLog';

function recordingLogger() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const logger: Logger = {
    info: (message, fields) => lines.push({ level: 'info', message, fields }),
    warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
    error: (message, fields) => lines.push({ level: 'error', message, fields }),
  };
  return { logger, lines };
}

describe('repeatedFailureLog', () => {
  it('logs the first failure whole, then a line a minute counting the rest, then the recovery', () => {
    const { logger, lines } = recordingLogger();
    let clock = 0;
    const log = repeatedFailureLog(logger, 'Claiming jobs failed', 60_000, () => clock);
    for (let poll = 0; poll < 240; poll++, clock += 250) log.failed(new Error('connection refused'));
    // 60 s of polls: the first line, and one at 60 s standing for the 239 in between.
    expect(lines.map((line) => [line.level, line.message])).toEqual([
      ['error', 'Claiming jobs failed'],
    ]);
    log.failed(new Error('connection refused'));
    expect(lines).toHaveLength(2);
    expect(lines[1]!.fields).toMatchObject({ failingForMs: 60_000, failuresNotLogged: 239, error: expect.stringContaining('connection refused') });
    clock += 250;
    log.failed(new Error('connection refused'));
    log.succeeded();
    expect(lines[2]).toMatchObject({ level: 'info', message: 'Claiming jobs failed; it works again', fields: { failingForMs: 60_250, failuresNotLogged: 1 } });
    // Working on: nothing more; failing anew: whole again.
    log.succeeded();
    log.failed(new Error('again'));
    expect(lines).toHaveLength(4);
    expect(lines[3]!.fields).not.toHaveProperty('failuresNotLogged');
  });
});
