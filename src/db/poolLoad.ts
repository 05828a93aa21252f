/**
 * How busy a pool of database connections is, for the pool gauges. postgres.js
 * exposes neither its connections in use nor its queue, so the load is counted
 * where work takes a connection (`observedPostgres`): a statement outside a
 * transaction from send to answer, a transaction or a reserved connection from
 * its start to its end. Work beyond the pool's connections waits (postgres.js
 * queues it, or pipelines it behind a busy connection's statement).
 */

/** One pool's reading. */
export interface PoolUsage {
  /** `api` (requests), `runner`, `webhooks`, or `embedded` (PGlite's one connection). */
  pool: string;
  connections: number;
  inUse: number;
  waiting: number;
}

/** What holds a pool's connections now. */
export class PoolLoad {
  private holders = 0;

  constructor(
    readonly pool: string,
    readonly connections: number,
  ) {}

  /** Counts one holder; the function returned ends it (once, however often it is called). */
  hold(): () => void {
    this.holders += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holders -= 1;
    };
  }

  reading(): PoolUsage {
    return usageOf(this.pool, this.connections, this.holders);
  }
}

/** A pool's reading from the work it holds: the first `connections` run, the rest wait. */
export function usageOf(pool: string, connections: number, holders: number): PoolUsage {
  return { pool, connections, inUse: Math.min(holders, connections), waiting: Math.max(0, holders - connections) };
}
