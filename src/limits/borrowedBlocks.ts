/**
 * The blocks of a rate limit's budget a process has borrowed, by tenant key, each
 * spent locally until it is used up or its window ends. A key is kept only while its
 * block may be spent: once the map holds `sweepAbove` keys, setting one drops those
 * whose window has ended, at most once every `sweepEveryMs` (a window), so tenants
 * seen once (any name a caller invents) do not pile up for the life of the process,
 * and many tenants at once do not make every borrowing walk the map.
 */
export class BorrowedBlocks {
  private readonly blocks = new Map<string, { left: number; until: number }>();
  private nextSweepAt = -Infinity;

  constructor(
    private readonly sweepAbove = 1_000,
    private readonly sweepEveryMs = 1_000,
  ) {}

  /** Holds `points` for `key` until `until` (ms since the epoch). */
  set(key: string, points: number, until: number): void {
    // The cadence on the monotonic clock: a wall clock stepped back must not hold the sweeps off.
    const tick = performance.now();
    if (this.blocks.size >= this.sweepAbove && tick >= this.nextSweepAt) {
      this.nextSweepAt = tick + this.sweepEveryMs;
      this.dropEnded(Date.now());
    }
    this.blocks.set(key, { left: points, until });
  }

  /** Spends one point of `key`'s block; false when it has none left or its window has ended. */
  spend(key: string): boolean {
    const held = this.blocks.get(key);
    if (!held) return false;
    if (Date.now() >= held.until) {
      this.blocks.delete(key);
      return false;
    }
    if (held.left <= 0) return false;
    held.left -= 1;
    return true;
  }

  delete(key: string): void {
    this.blocks.delete(key);
  }

  /** Keys held now. */
  get size(): number {
    return this.blocks.size;
  }

  private dropEnded(now: number): void {
    for (const [key, held] of this.blocks) if (now >= held.until) this.blocks.delete(key);
  }
}
