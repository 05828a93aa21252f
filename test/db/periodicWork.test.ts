/**
 * The runner's housekeeping loop: a round now, then one every interval; a
 * failed round is logged and the loop goes on; stop wakes the wait, lets the
 * round under way see it and end, and resolves once it has.
 */
import { describe, expect, it } from 'vitest';
import { startPeriodic } from '../../src/db/periodicWork';
import type { Logger } from '../../src/logger';

function recordingLogger() {
  const errors: { message: string; fields: Record<string, unknown> | undefined }[] = [];
  const logger: Logger = { info: () => {}, warn: () => {}, error: (message, fields) => errors.push({ message, fields }) };
  return { logger, errors };
}

const until = async (condition: () => boolean, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('startPeriodic', () => {
  it('runs a round at once and again every interval, going on after a failed round, which it logs', async () => {
    const { logger, errors } = recordingLogger();
    let rounds = 0;
    const work = startPeriodic({
      intervalMs: 20,
      logger,
      failureMessage: 'The round failed',
      round: async () => {
        rounds += 1;
        if (rounds === 2) throw new Error('boom');
      },
    });
    expect(rounds).toBe(1); // the first round starts synchronously
    await until(() => rounds >= 4);
    await work.stop();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe('The round failed');
    expect(String(errors[0]!.fields?.error)).toContain('boom');
  });

  it('stop wakes a long wait at once, and tells the round under way to end', async () => {
    const { logger } = recordingLogger();
    let sawStop = false;
    let rounds = 0;
    const work = startPeriodic({
      intervalMs: 60 * 60 * 1000,
      logger,
      failureMessage: 'unused',
      round: async (stopped) => {
        rounds += 1;
        if (rounds > 1) return;
        await until(stopped);
        sawStop = true;
      },
    });
    const started = Date.now();
    await work.stop();
    expect(sawStop).toBe(true);
    expect(rounds).toBe(1);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
