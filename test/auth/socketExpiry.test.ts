/** The timer that ends a graphql-ws socket when its token expires, however far ahead that is. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { callAt } from '../../src/callAt';

const DAY = 24 * 60 * 60 * 1000;

describe('the expiry timer of a socket', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires at an expiry 60 days ahead, not before, though one timer waits at most 24.8 days', () => {
    const expired = vi.fn();
    const at = Date.now() + 60 * DAY;
    callAt(at, expired);
    vi.advanceTimersByTime(1);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(at - Date.now() - 1);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(expired).toHaveBeenCalledOnce();
    vi.advanceTimersByTime(100 * DAY);
    expect(expired).toHaveBeenCalledOnce();
  });

  it('fires at a near expiry, and on the next turn for one already past', () => {
    const soon = vi.fn();
    const past = vi.fn();
    callAt(Date.now() + 2_000, soon);
    callAt(Date.now() - 10_000, past);
    expect(past).not.toHaveBeenCalled();
    vi.advanceTimersByTime(0);
    expect(past).toHaveBeenCalledOnce();
    vi.advanceTimersByTime(1_999);
    expect(soon).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(soon).toHaveBeenCalledOnce();
  });

  it('never fires once cancelled, even between the steps of a long wait', () => {
    const expired = vi.fn();
    const cancel = callAt(Date.now() + 40 * DAY, expired);
    vi.advanceTimersByTime(30 * DAY);
    cancel();
    vi.advanceTimersByTime(20 * DAY);
    expect(expired).not.toHaveBeenCalled();
  });
});
