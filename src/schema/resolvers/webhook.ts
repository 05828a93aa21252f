/**
 * The webhook part of the API: queries, mutations and the `Webhook` type.
 * (Filled in by the next commit: src/webhooks/.)
 */
import type { MutationResolvers, QueryResolvers, WebhookResolvers } from '../resolvers.generated';

export const webhookQueries: Pick<QueryResolvers, 'webhooks' | 'webhook'> = {};

export const webhookMutations: Pick<MutationResolvers, 'createWebhook' | 'rotateWebhookSecret' | 'deleteWebhook'> = {};

export const Webhook: WebhookResolvers = {};
