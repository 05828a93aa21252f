/** The webhook part of the API: queries, mutations, and the `Webhook` and `WebhookDelivery` types. */
import { keyCursorEncoder } from '../../pagination/cursor';
import { createWebhook } from '../../webhooks/createWebhook';
import { deleteWebhook } from '../../webhooks/deleteWebhook';
import { findWebhook } from '../../webhooks/findWebhook';
import { listWebhooks } from '../../webhooks/listWebhooks';
import { rotateWebhookSecret } from '../../webhooks/rotateWebhookSecret';
import type {
  MutationResolvers,
  QueryResolvers,
  WebhookDeliveryResolvers,
  WebhookResolvers,
} from '../resolvers.generated';

export const webhookQueries: Pick<QueryResolvers, 'webhooks' | 'webhook'> = {
  webhooks: (_root, args, { database: { db }, tenant }) => listWebhooks(db, tenant, args),
  webhook: (_root, { id }, { database: { db }, tenant }) => findWebhook(db, tenant, id),
};

export const webhookMutations: Pick<MutationResolvers, 'createWebhook' | 'rotateWebhookSecret' | 'deleteWebhook'> = {
  createWebhook: (_root, { input }, { database: { db }, tenant, webhooks, subject }) => createWebhook(db, tenant, input, webhooks, subject),
  rotateWebhookSecret: (_root, { id }, { database: { db }, tenant }) => rotateWebhookSecret(db, tenant, id),
  deleteWebhook: async (_root, { id }, { database: { db }, tenant }) => ({ deletedWebhookId: await deleteWebhook(db, tenant, id) }),
};

export const Webhook: WebhookResolvers = {
  deliveries: (webhook, args, { loaders }) => loaders.webhookDeliveries(webhook.id, args),
};

export const WebhookDelivery: WebhookDeliveryResolvers = {
  // As `ExportJobEvent.id` shows the event. A delivery is reached only through a webhook of
  // the caller's tenant, which is the event's tenant.
  eventId: (delivery, _args, { tenant }) => keyCursorEncoder('event', tenant)(String(delivery.eventId)),
};
