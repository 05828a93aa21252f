import { keyCursorEncoder } from '../../pagination/cursor';
import type { ExportJobEventResolvers } from '../resolvers.generated';

export const ExportJobEvent: ExportJobEventResolvers = {
  // The cursor of the event's own tenant, not the watcher's: the field depends on the event
  // alone, as a result shared by all watchers of it must (http/sharedSubscriptionExecution.ts).
  id: (event) =>
    event.id === null
      ? null
      : keyCursorEncoder('event', { orgId: event.job.orgId, sandboxName: event.job.sandboxName })(String(event.id)),
};
