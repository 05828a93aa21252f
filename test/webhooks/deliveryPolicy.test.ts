/** The retry schedule: exponential backoff with full jitter, capped. */
import { describe, expect, it } from 'vitest';
import { BACKOFF_BASE_MS, BACKOFF_CAP_MS, backoffMs } from '../../src/webhooks/deliveryPolicy';

describe('backoffMs', () => {
  it('waits up to the base after the first failure, twice as long after each further one', () => {
    const atMost = (attempts: number) => backoffMs(attempts, () => 0.999_999);
    expect(atMost(1)).toBe(BACKOFF_BASE_MS - 1);
    expect(atMost(2)).toBe(2 * BACKOFF_BASE_MS - 1);
    expect(atMost(5)).toBe(16 * BACKOFF_BASE_MS - 1);
  });

  it('never waits more than the cap, however many attempts failed', () => {
    expect(backoffMs(30, () => 0.999_999)).toBeLessThan(BACKOFF_CAP_MS);
    expect(backoffMs(10_000, () => 0.999_999)).toBeLessThan(BACKOFF_CAP_MS);
  });

  it('spreads retries anywhere from now to the bound (full jitter)', () => {
    expect(backoffMs(3, () => 0)).toBe(0);
    expect(backoffMs(3, () => 0.5)).toBe(2 * BACKOFF_BASE_MS);
  });
});
