/**
 * Requests a second per tenant (LIMIT_REQUESTS_PER_SECOND), and per organisation over
 * all its sandboxes (LIMIT_ORG_REQUESTS_PER_SECOND), counted where every
 * process sees the same count: in PostgreSQL, one row a tenant a second, by
 * rate-limiter-flexible; in memory on the embedded database, which one process
 * owns. If PostgreSQL cannot answer, each process counts on its own in the
 * meantime rather than refusing everyone.
 */
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Database } from '../db/database';
import { ErrorCode, GatewayError } from '../errors';
import type { Tenant } from '../tenant';
import { BorrowedBlocks } from './borrowedBlocks';

export interface TenantRateLimiter {
  /**
   * Counts `requests` requests of `tenant` (a batch's operations each count); throws
   * RATE_LIMITED (with `extensions.retryAfter`, seconds) over the limit.
   */
  consume(tenant: Tenant, requests?: number): Promise<void>;
}

const TABLE = 'gw_rate_limits';

/** What a limiter counts: its key prefix in the shared table, and the words of its refusal. */
export interface RateLimitKind {
  keyPrefix: string;
  /** `${tooMany}; retry in N s`. */
  tooMany: string;
  /**
   * A budget a second for each organisation, all its sandboxes together, besides each
   * sandbox's: a token granting a whole organisation may name any sandbox, and each name
   * would otherwise bring a budget of its own.
   */
  perOrganisation?: number;
}

/** API requests (LIMIT_REQUESTS_PER_SECOND). */
export const API_REQUESTS: RateLimitKind = { keyPrefix: 'tenant', tooMany: 'Too many requests for this tenant' };

/** Downloads through links (LIMIT_DOWNLOADS_PER_SECOND), counted apart from API requests. */
export const DOWNLOADS: RateLimitKind = { keyPrefix: 'downloads', tooMany: "Too many downloads of this tenant's files" };

export async function createTenantRateLimiter(
  database: Database,
  requestsPerSecond: number,
  kind: RateLimitKind = API_REQUESTS,
): Promise<TenantRateLimiter> {
  const perSandbox = await sharedBudget(database, requestsPerSecond, kind.keyPrefix);
  const perOrganisation =
    kind.perOrganisation === undefined ? undefined : await sharedBudget(database, kind.perOrganisation, `${kind.keyPrefix}-org`);
  const refusal = (rejection: RateLimiterRes, tooMany: string) => {
    const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    return new GatewayError(ErrorCode.RATE_LIMITED, `${tooMany}; retry in ${retryAfter} s`, { retryAfter });
  };
  return {
    async consume({ orgId, sandboxName }, requests = 1) {
      for (let spent = 0; spent < requests; spent++) {
        try {
          await perSandbox.spend(`${orgId}\n${sandboxName}`);
        } catch (rejection: unknown) {
          throw rejection instanceof RateLimiterRes ? refusal(rejection, kind.tooMany) : rejection;
        }
        try {
          await perOrganisation?.spend(orgId);
        } catch (rejection: unknown) {
          throw rejection instanceof RateLimiterRes ? refusal(rejection, `${kind.tooMany}'s organisation, all its sandboxes together`) : rejection;
        }
      }
    },
  };
}

/**
 * `pointsPerSecond` for each key, counted where every process sees the same count (PostgreSQL),
 * or in memory on the embedded database. `spend` takes one point, or rejects with the
 * limiter's `RateLimiterRes` when the key has none left this window.
 */
async function sharedBudget(database: Database, pointsPerSecond: number, keyPrefix: string): Promise<{ spend(key: string): Promise<void> }> {
  const options = { points: pointsPerSecond, duration: 1, keyPrefix };
  const local = new RateLimiterMemory(options);
  const pool = database.nodePostgresPool;
  const limiter = pool
    ? await new Promise<RateLimiterPostgres>((resolve, reject) => {
        const created: RateLimiterPostgres = new RateLimiterPostgres(
          { ...options, storeClient: pool, storeType: 'pool', tableName: TABLE, insuranceLimiter: local },
          (error?: Error) => (error ? reject(new Error('Creating the rate limit table failed', { cause: error })) : resolve(created)),
        );
      })
    : local;
  // Each process takes the shared budget a block at a time and spends it locally: one
  // statement per block instead of per request (one a request cost the API a tenth of its
  // throughput). A process may hold an unspent block as a window ends, so the limit is met
  // to within one block per process.
  const block = Math.max(1, Math.floor(pointsPerSecond / BLOCKS_PER_WINDOW));
  const borrowed = new BorrowedBlocks();
  // One borrowing at a time per key: requests arriving together wait for it rather than
  // each taking a block (20 blocks at once overdrew the budget of a window).
  const borrowing = new Map<string, Promise<void>>();
  const borrow = (key: string) => {
    let pending = borrowing.get(key);
    if (!pending) {
      const startedAt = Date.now();
      pending = takeBlock(limiter, key, block)
        .then((granted) => borrowed.set(key, granted.points, startedAt + granted.msBeforeNext))
        .finally(() => borrowing.delete(key));
      borrowing.set(key, pending);
    }
    return pending;
  };
  return {
    async spend(key) {
      try {
        while (!borrowed.spend(key)) await borrow(key);
      } catch (rejection: unknown) {
        if (rejection instanceof RateLimiterRes) borrowed.delete(key);
        throw rejection;
      }
    },
  };
}

/** How many blocks the budget of a window is cut into. */
const BLOCKS_PER_WINDOW = 10;

/**
 * A block of `size` points, or, when less than that is left in the window, a
 * single point; rejects (with the limiter's answer) when none is left.
 */
async function takeBlock(
  limiter: RateLimiterPostgres | RateLimiterMemory,
  key: string,
  size: number,
): Promise<{ points: number; msBeforeNext: number }> {
  try {
    const granted = await limiter.consume(key, size);
    return { points: size, msBeforeNext: granted.msBeforeNext };
  } catch (rejection: unknown) {
    if (!(rejection instanceof RateLimiterRes) || size === 1) throw rejection;
    // The block did not fit (and counted); what is left, if anything, goes one point at a time.
    const granted = await limiter.consume(key, 1);
    return { points: 1, msBeforeNext: granted.msBeforeNext };
  }
}
