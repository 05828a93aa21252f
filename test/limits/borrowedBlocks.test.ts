/** The rate limiter's borrowed blocks: spent down to nothing, gone with their window, never piling up. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BorrowedBlocks } from '../../src/limits/borrowedBlocks';

describe('BorrowedBlocks', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('spends a block point by point, and not after its window', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 1_000_000 });
    const blocks = new BorrowedBlocks();
    blocks.set('a', 2, 1_000_500);
    expect([blocks.spend('a'), blocks.spend('a'), blocks.spend('a')]).toEqual([true, true, false]);
    blocks.set('b', 5, 1_000_500);
    vi.setSystemTime(1_000_500);
    expect(blocks.spend('b')).toBe(false);
    expect(blocks.spend('nobody')).toBe(false);
  });

  it('forgets the tenants whose window has ended once it holds many, however many names are invented', () => {
    vi.useFakeTimers({ toFake: ['Date', 'performance'], now: 2_000_000 });
    const blocks = new BorrowedBlocks(100);
    for (let second = 0; second < 50; second += 1) {
      for (let i = 0; i < 100; i += 1) blocks.set(`org\nsandbox-${second}-${i}`, 30, Date.now() + 1_000);
      vi.advanceTimersByTime(1_000);
    }
    // 5,000 tenants seen, each once: what is held is at most the sweep's threshold and one window's.
    expect(blocks.size).toBeLessThanOrEqual(200);
    blocks.set('fresh', 1, Date.now() + 1_000);
    expect(blocks.spend('fresh')).toBe(true);
  });

  it('walks the map at most once a window, however many tenants borrow in it', () => {
    vi.useFakeTimers({ toFake: ['Date', 'performance'], now: 3_000_000 });
    const blocks = new BorrowedBlocks(100, 1_000);
    const walks = vi.spyOn(blocks as unknown as { dropEnded(now: number): void }, 'dropEnded');
    for (let i = 0; i < 5_000; i += 1) blocks.set(`org\nlive-${i}`, 30, Date.now() + 1_000);
    expect(walks).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1_000);
    blocks.set('next window', 30, Date.now() + 1_000);
    expect(walks).toHaveBeenCalledTimes(2);
    expect(blocks.size).toBe(1);
  });

  it('goes on sweeping when the wall clock is set back', () => {
    vi.useFakeTimers({ toFake: ['Date', 'performance'], now: 4_000_000 });
    const blocks = new BorrowedBlocks(10, 1_000);
    for (let i = 0; i < 20; i += 1) blocks.set(`org\nold-${i}`, 30, Date.now() + 500);
    vi.advanceTimersByTime(1_000);
    vi.setSystemTime(Date.now() - 3_600_000);
    vi.advanceTimersByTime(1_000);
    // An hour back: the old blocks' windows lie ahead of the clock now, but the sweep itself runs on time.
    const walks = vi.spyOn(blocks as unknown as { dropEnded(now: number): void }, 'dropEnded');
    blocks.set('after the step', 1, Date.now() + 1_000);
    expect(walks).toHaveBeenCalledTimes(1);
  });
});
