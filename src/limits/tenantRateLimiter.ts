/**
 * Requests a second per tenant (LIMIT_REQUESTS_PER_SECOND), counted where every
 * process sees the same count: in PostgreSQL, one row a tenant a second, by
 * rate-limiter-flexible; in memory on the embedded database, which one process
 * owns. If PostgreSQL cannot answer, each process counts on its own in the
 * meantime rather than refusing everyone.
 */
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Database } from '../db/database';
import { ErrorCode, GatewayError } from '../errors';
import type { Tenant } from '../tenant';

export interface TenantRateLimiter {
  /** Counts one request of `tenant`; throws RATE_LIMITED (with `extensions.retryAfter`, seconds) over the limit. */
  consume(tenant: Tenant): Promise<void>;
}

const TABLE = 'gw_rate_limits';

export async function createTenantRateLimiter(database: Database, requestsPerSecond: number): Promise<TenantRateLimiter> {
  const options = { points: requestsPerSecond, duration: 1, keyPrefix: 'tenant' };
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
  return {
    async consume({ orgId, sandboxName }) {
      try {
        await limiter.consume(`${orgId}\n${sandboxName}`);
      } catch (rejection: unknown) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw new GatewayError(ErrorCode.RATE_LIMITED, `Too many requests for this tenant; retry in ${retryAfter} s`, {
          retryAfter,
        });
      }
    },
  };
}
