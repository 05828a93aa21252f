import type { WatchedJobEvent } from '../../events/watchedJobEvent';
import { badUserInput } from '../../errors';
import { decodeKeyCursor } from '../../pagination/cursor';
import type { SubscriptionResolvers } from '../resolvers.generated';

export const Subscription: SubscriptionResolvers = {
  jobStatusChanged: {
    subscribe: (_root, { id, status, afterSequence, after }, { hub, tenant }) => {
      // A job's sequence resumes a job's watch; an event id resumes the tenant's stream.
      if (afterSequence != null && id == null) {
        throw badUserInput('afterSequence', '`afterSequence` resumes the watch of one job: pass its `id` too');
      }
      if (afterSequence != null && afterSequence < 0) {
        throw badUserInput('afterSequence', '`afterSequence` must be 0 or more');
      }
      if (after != null && id != null) {
        throw badUserInput('after', '`after` resumes the tenant-wide stream; with `id`, pass `afterSequence`');
      }
      const afterEventId = after == null ? null : Number(decodeKeyCursor('event', tenant, after, 'after'));
      return hub.watch({ tenant, jobId: id, statuses: status, afterSequence, afterEventId });
    },
    resolve: (event: WatchedJobEvent) => event,
  },
};
