/**
 * How many `previewSegment` walks one organisation may have running at once in this
 * process (LIMIT_PREVIEWS_AT_ONCE). A preview may walk the whole profile store, a statement
 * at a time, for LIMIT_PREVIEW_SECONDS; the cost rule lets 30 aliased previews into one
 * operation and a batch holds ten. Unbounded, one tenant's batched request started 300
 * walks and held every other tenant's requests for seconds. Counted per organisation, not
 * per sandbox: a token for the whole organisation names as many sandboxes as it likes.
 */
import { ErrorCode, GatewayError } from '../../errors';
import type { Tenant } from '../../tenant';

export interface PreviewSlots {
  /** A slot for one preview of `tenant`, released by calling the answer; throws RATE_LIMITED when none is free. */
  take(tenant: Tenant): () => void;
}

export function previewSlots(atOnce: number): PreviewSlots {
  const running = new Map<string, number>();
  return {
    take({ orgId }) {
      const now = running.get(orgId) ?? 0;
      if (now >= atOnce) {
        throw new GatewayError(
          ErrorCode.RATE_LIMITED,
          `At most ${atOnce} segment previews of one organisation run at a time; retry in 1 s`,
          { retryAfter: 1 },
        );
      }
      running.set(orgId, now + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (running.get(orgId) ?? 1) - 1;
        if (left > 0) running.set(orgId, left);
        else running.delete(orgId);
      };
    },
  };
}
