import type { WatchedJobEvent } from '../../events/watchedJobEvent';
import type { SubscriptionResolvers } from '../resolvers.generated';

export const Subscription: SubscriptionResolvers = {
  jobStatusChanged: {
    subscribe: (_root, { id, status }, { hub, tenant }) => hub.watch({ tenant, jobId: id, statuses: status }),
    resolve: (event: WatchedJobEvent) => event,
  },
};
