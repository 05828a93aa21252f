/** A warning outsiders can cause is logged once a minute at most, with how many it stands for. */
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/logger';
import { throttledWarning } from '../../src/logging/throttledWarning';

describe('throttledWarning', () => {
  it('logs the first whole, then one line a minute counting those in between', () => {
    const lines: { message: string; fields?: Record<string, unknown> }[] = [];
    const logger: Logger = {
      info: () => expect.unreachable('info'),
      warn: (message, fields) => lines.push({ message, fields }),
      error: () => expect.unreachable('error'),
    };
    let clock = 0;
    const warn = throttledWarning(logger, 'Request refused', 60_000, () => clock);
    for (let i = 0; i < 1_000; i++, clock += 50) warn({ host: `h${i}` });
    // 50 s of refusals: the first only.
    expect(lines).toEqual([{ message: 'Request refused', fields: { host: 'h0' } }]);
    clock = 60_000;
    warn({ host: 'later' });
    expect(lines[1]).toEqual({ message: 'Request refused', fields: { host: 'later', similarNotLogged: 999 } });
    clock = 200_000;
    warn({ host: 'quiet since' });
    expect(lines[2]).toEqual({ message: 'Request refused', fields: { host: 'quiet since' } });
  });
});
