/**
 * The heartbeat's own promise (issue 16): one renewal in flight at most, however
 * long a renewal waits (behind a chunk's row lock, say); the next one an interval
 * after the last settled; `stop()` waits for the one in flight. On fake timers,
 * so that a renewal can hang for ten intervals in no time.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startHeartbeat } from '../../src/runner/heartbeat';

const INTERVAL_MS = 100;

/** A `renew()` whose calls each hang until the test settles them, and that counts what is in flight. */
function hangingRenewals() {
  const pending: { settle(renewed: boolean): void; fail(error: Error): void }[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  let calls = 0;
  const renew = () =>
    new Promise<boolean>((resolve, reject) => {
      calls++;
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      const done = () => inFlight--;
      pending.push({
        settle: (renewed) => {
          done();
          resolve(renewed);
        },
        fail: (error) => {
          done();
          reject(error);
        },
      });
    });
  return {
    renew,
    get calls() {
      return calls;
    },
    get inFlight() {
      return inFlight;
    },
    get mostInFlight() {
      return mostInFlight;
    },
    /** The oldest renewal still hanging. */
    next() {
      const renewal = pending.shift();
      if (!renewal) throw new Error('No renewal is in flight');
      return renewal;
    },
  };
}

describe('startHeartbeat', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('never starts a renewal while one hangs, however many intervals pass', async () => {
    const renewals = hangingRenewals();
    const onLost = vi.fn();
    const onError = vi.fn();
    const heartbeat = startHeartbeat({ intervalMs: INTERVAL_MS, renew: renewals.renew, onLost, onError });

    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(renewals.calls).toBe(1);
    // Ten intervals behind a lock: a timer that fired regardless would have sent ten more.
    await vi.advanceTimersByTimeAsync(10 * INTERVAL_MS);
    expect(renewals.calls).toBe(1);
    expect(renewals.mostInFlight).toBe(1);

    renewals.next().settle(true);
    await vi.advanceTimersByTimeAsync(0);
    const stopped = heartbeat.stop();
    await vi.advanceTimersByTimeAsync(10 * INTERVAL_MS);
    await stopped;
    expect(onLost).not.toHaveBeenCalled();
    expect(onError).not.toHaveBeenCalled();
  });

  it('renews again an interval after the hanging renewal returns, and keeps beating', async () => {
    const renewals = hangingRenewals();
    const heartbeat = startHeartbeat({ intervalMs: INTERVAL_MS, renew: renewals.renew, onLost: vi.fn(), onError: vi.fn() });

    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    await vi.advanceTimersByTimeAsync(5 * INTERVAL_MS);
    renewals.next().settle(true);
    // The next one waits its interval from the end of the last, not from a fixed beat.
    await vi.advanceTimersByTimeAsync(INTERVAL_MS - 1);
    expect(renewals.calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(renewals.calls).toBe(2);

    // Renewals that answer at once come one an interval.
    renewals.next().settle(true);
    for (let beat = 3; beat <= 6; beat++) {
      await vi.advanceTimersByTimeAsync(INTERVAL_MS);
      expect(renewals.calls).toBe(beat);
      renewals.next().settle(true);
    }
    expect(renewals.mostInFlight).toBe(1);
    const stopped = heartbeat.stop();
    await vi.advanceTimersByTimeAsync(0);
    await stopped;
  });

  it('keeps beating after a renewal fails, and reports the error', async () => {
    const renewals = hangingRenewals();
    const onError = vi.fn();
    const onLost = vi.fn();
    const heartbeat = startHeartbeat({ intervalMs: INTERVAL_MS, renew: renewals.renew, onLost, onError });

    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    const failure = new Error('canceling statement due to statement timeout');
    renewals.next().fail(failure);
    await vi.advanceTimersByTimeAsync(0);
    expect(onError).toHaveBeenCalledWith(failure);
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(renewals.calls).toBe(2);
    expect(onLost).not.toHaveBeenCalled();
    renewals.next().settle(true);
    const stopped = heartbeat.stop();
    await vi.advanceTimersByTimeAsync(0);
    await stopped;
  });

  it('stops renewing once a renewal says the lease is no longer ours, and calls onLost once', async () => {
    const renewals = hangingRenewals();
    const onLost = vi.fn();
    const heartbeat = startHeartbeat({ intervalMs: INTERVAL_MS, renew: renewals.renew, onLost, onError: vi.fn() });

    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    renewals.next().settle(false);
    await vi.advanceTimersByTimeAsync(10 * INTERVAL_MS);
    expect(onLost).toHaveBeenCalledTimes(1);
    expect(renewals.calls).toBe(1);
    await heartbeat.stop();
  });

  it('makes stop() wait for the renewal in flight, and renews nothing after it', async () => {
    const renewals = hangingRenewals();
    const heartbeat = startHeartbeat({ intervalMs: INTERVAL_MS, renew: renewals.renew, onLost: vi.fn(), onError: vi.fn() });

    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(renewals.inFlight).toBe(1);
    let stopped = false;
    const stopping = heartbeat.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(10 * INTERVAL_MS);
    // Still renewing: the run must not give its connection back (or end) under a renewal.
    expect(stopped).toBe(false);

    renewals.next().settle(true);
    await vi.advanceTimersByTimeAsync(0);
    await stopping;
    expect(stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(10 * INTERVAL_MS);
    expect(renewals.calls).toBe(1);
  });

  it('stops at once between renewals, without waiting for the interval', async () => {
    const renewals = hangingRenewals();
    const heartbeat = startHeartbeat({ intervalMs: INTERVAL_MS, renew: renewals.renew, onLost: vi.fn(), onError: vi.fn() });

    await vi.advanceTimersByTimeAsync(INTERVAL_MS / 2);
    let stopped = false;
    const stopping = heartbeat.stop().then(() => (stopped = true));
    // Microtasks only: no timer has to fire for stop() to resolve.
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(true);
    await stopping;
    await vi.advanceTimersByTimeAsync(10 * INTERVAL_MS);
    expect(renewals.calls).toBe(0);
  });
});
